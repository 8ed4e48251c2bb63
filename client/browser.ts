import type { FeedbackHandle, FlywheelClient } from './client';

/**
 * Flushes queued signals with sendBeacon when the page is hidden or unloaded, so a signal is not
 * lost when the tab closes right after it. `visibilitychange` to hidden is the last event mobile
 * browsers reliably fire; `pagehide` covers desktop navigation. Returns a function that detaches.
 */
export function flushOnPageHide(client: FlywheelClient, win: Window = window): () => void {
  const onHide = (): void => {
    client.flushBeacon();
  };
  const onVisibility = (): void => {
    if (win.document.visibilityState === 'hidden') onHide();
  };
  win.addEventListener('pagehide', onHide);
  win.document.addEventListener('visibilitychange', onVisibility);
  return () => {
    win.removeEventListener('pagehide', onHide);
    win.document.removeEventListener('visibilitychange', onVisibility);
  };
}

/**
 * Records a `copied` signal, with the share of the answer copied, whenever the user copies from
 * `element` (the element that shows the answer). Returns a function that detaches.
 */
export function trackCopy(element: HTMLElement, handle: FeedbackHandle): () => void {
  const onCopy = (): void => {
    const selected = element.ownerDocument.getSelection()?.toString() ?? '';
    const total = (element.textContent ?? '').trim().length;
    if (selected.trim().length === 0 || total === 0) return;
    handle.copied(Math.min(1, selected.trim().length / total));
  };
  element.addEventListener('copy', onCopy);
  return () => element.removeEventListener('copy', onCopy);
}
