// sound.js — Web Audio for the chimes of the wall display and the ticket
// page: an AudioContext that reports its state, and a soft sine tone.

/**
 * A new AudioContext, or null where Web Audio is missing or refused;
 * onStateChange runs whenever it is suspended or resumed.
 */
export function newAudioContext(onStateChange) {
  const AC = window.AudioContext || window.webkitAudioContext;
  if (!AC) return null;
  try {
    const ctx = new AC();
    ctx.addEventListener('statechange', onStateChange);
    return ctx;
  } catch {
    return null;
  }
}

/**
 * One sine tone of freq Hz at start (in ctx time, seconds): it rises to peak
 * in attack seconds and fades out by dur, into out (the speakers by default).
 */
export function tone(ctx, freq, start, dur, { peak = 1, attack = 0.03, out = ctx.destination } = {}) {
  const o = ctx.createOscillator();
  const g = ctx.createGain();
  o.type = 'sine';
  o.frequency.value = freq;
  g.gain.setValueAtTime(0.0001, start);
  g.gain.exponentialRampToValueAtTime(peak, start + attack);
  g.gain.exponentialRampToValueAtTime(0.0001, start + dur);
  o.connect(g);
  g.connect(out);
  o.start(start);
  o.stop(start + dur + 0.05);
}
