// Must be imported before react-dom / @testing-library/react: gives Node a DOM.
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://localhost/' });
const g = globalThis as Record<string, unknown>;
for (const key of ['window', 'document', 'navigator', 'HTMLElement', 'Node', 'Event', 'MutationObserver', 'getComputedStyle']) {
  Object.defineProperty(g, key, {
    configurable: true,
    writable: true,
    value: key === 'window' ? dom.window : (dom.window as unknown as Record<string, unknown>)[key],
  });
}
g.IS_REACT_ACT_ENVIRONMENT = true;
