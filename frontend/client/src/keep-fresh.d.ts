/** Keep a list on screen current: redraw every 30 s, reload every minute while visible and when shown again. */
export declare function keepFresh(deps: {
  every: (ms: number, fn: () => void) => () => void;
  onShown?: (fn: () => void) => () => void;
  isVisible?: () => boolean;
  redraw: () => void;
  reload: () => Promise<void> | void;
  redrawMs?: number;
  reloadMs?: number;
}): () => void;
