// A small user-agent reader: enough to tell a person which device a session is.

const BROWSERS = [
  [/Edg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/OPR\/(\d+)/, 'Opera'],
  [/SamsungBrowser\/(\d+)/, 'Samsung Internet'],
  [/Firefox\/(\d+)/, 'Firefox'],
  [/FxiOS\/(\d+)/, 'Firefox'],
  [/CriOS\/(\d+)/, 'Chrome'],
  [/HeadlessChrome\/(\d+)/, 'Headless Chrome'],
  [/Chrome\/(\d+)/, 'Chrome'],
  [/Chromium\/(\d+)/, 'Chromium'],
  [/Version\/(\d+)[\d.]* (?:Mobile\/\S+ )?Safari\//, 'Safari'],
  [/^curl\/(\d+)/, 'curl'],
  [/python-requests\/(\d+)/, 'Python requests'],
  [/python-httpx\/(\d+)/, 'Python httpx'],
  [/^Python-urllib\/(\d+)/, 'Python urllib'],
];

const SYSTEMS = [
  [/iPhone|iPod/, 'iPhone', 'phone'],
  [/iPad/, 'iPad', 'tablet'],
  [/Android.*Mobile/, 'Android', 'phone'],
  [/Android/, 'Android', 'tablet'],
  [/CrOS/, 'ChromeOS', 'desktop'],
  [/Windows/, 'Windows', 'desktop'],
  [/Mac OS X|Macintosh/, 'macOS', 'desktop'],
  [/Linux/, 'Linux', 'desktop'],
];

/**
 * @param {string} ua
 * @returns {{browser: string|null, version: string|null, os: string|null, kind: 'phone'|'tablet'|'desktop'|'other', label: string}}
 */
export function parseUserAgent(ua) {
  const text = typeof ua === 'string' ? ua.trim() : '';
  if (!text) return { browser: null, version: null, os: null, kind: 'other', label: 'Unknown device' };
  let browser = null;
  let version = null;
  for (const [re, name] of BROWSERS) {
    const m = text.match(re);
    if (m) {
      browser = name;
      version = m[1] || null;
      break;
    }
  }
  let os = null;
  let kind = 'other';
  for (const [re, name, k] of SYSTEMS) {
    if (re.test(text)) {
      os = name;
      kind = k;
      break;
    }
  }
  let label;
  if (browser && os) label = `${browser} on ${os}`;
  else if (browser) label = browser;
  else if (os) label = `Browser on ${os}`;
  else label = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return { browser, version, os, kind, label };
}
