import { useEffect } from 'react';

/** The question asked before unsaved edits are left behind. */
export const LEAVE_QUESTION =
  'Your changes to the mail settings are not saved. Leave anyway?';

/** The link a click follows inside the app, or undefined when it stays or opens elsewhere. */
function appLinkOf(event: MouseEvent): HTMLAnchorElement | undefined {
  if (
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey ||
    event.altKey
  ) {
    return undefined;
  }
  const target = event.target instanceof Element ? event.target : null;
  const link = target?.closest('a[href]');
  if (!(link instanceof HTMLAnchorElement)) return undefined;
  if (link.target && link.target !== '_self') return undefined;
  if (link.hasAttribute('download')) return undefined;
  if (link.getAttribute('href')?.startsWith('#')) return undefined;
  // Another site unloads the page, and beforeunload asks then.
  if (link.origin !== window.location.origin) return undefined;
  return link;
}

/**
 * While `unsaved`, asks before the page is left: a reload, a closed tab or
 * another address (the browser's own question, on beforeunload), and a link
 * inside the portal. The app's router is react-router 6 under
 * BrowserRouter, which has no navigation blocker outside a data router, so
 * clicks on links are checked before the router sees them. The browser's
 * back button is not covered.
 */
export function useConfirmLeave(unsaved: boolean): void {
  useEffect(() => {
    if (!unsaved) return undefined;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers ask only when returnValue is set.
      event.returnValue = '';
    };
    const onClick = (event: MouseEvent) => {
      if (!appLinkOf(event)) return;
      // eslint-disable-next-line no-alert
      if (window.confirm(LEAVE_QUESTION)) return;
      event.preventDefault();
      event.stopPropagation();
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    // Capture, so the answer comes before the router's own click handler.
    document.addEventListener('click', onClick, true);
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      document.removeEventListener('click', onClick, true);
    };
  }, [unsaved]);
}
