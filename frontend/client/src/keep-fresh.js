// Keep a list on screen current without a framework: redraw its relative
// times ("3 minutes ago") every 30 s, ask the server again every minute while
// the tab is visible and at once when it is shown again. One request at a
// time; a failed one is the page's to show (or to ignore) and never stops the next.

/**
 * @param {object} deps
 * @param {(ms: number, fn: Function) => Function} deps.every ctx.every: an interval, returns its stop
 * @param {(fn: Function) => Function} [deps.onShown] ctx.onShown: the tab was shown again, returns its stop
 * @param {() => boolean} [deps.isVisible] whether the tab is visible now
 * @param {() => void} deps.redraw recompute what depends on the clock only
 * @param {() => (Promise<void>|void)} deps.reload ask the server again
 * @returns {() => void} stop everything
 */
export function keepFresh({ every, onShown, isVisible = () => true, redraw, reload, redrawMs = 30_000, reloadMs = 60_000 }) {
  let inflight = null;
  function reloadNow() {
    if (inflight) return inflight;
    inflight = Promise.resolve()
      .then(reload)
      .catch(() => {})
      .finally(() => {
        inflight = null;
      });
    return inflight;
  }
  const stops = [
    every(redrawMs, redraw),
    every(reloadMs, () => {
      if (isVisible()) reloadNow();
    }),
  ];
  if (onShown) stops.push(onShown(reloadNow));
  return () => {
    for (const stop of stops) stop();
  };
}
