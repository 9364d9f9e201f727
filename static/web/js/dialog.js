// dialog.js — opening and closing a <dialog> as a modal, on browsers with
// and without showModal (an old kiosk's).

/** Opens dlg as a modal unless it is open. */
export function openDialog(dlg) {
  if (dlg.open) return;
  try { dlg.showModal(); } catch { dlg.setAttribute('open', ''); }
}

/** Closes dlg if it is open. */
export function closeDialog(dlg) {
  if (!dlg.open) return;
  try { dlg.close(); } catch { dlg.removeAttribute('open'); }
}
