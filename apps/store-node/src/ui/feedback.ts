/** Counts the tones played, on `window`, so browser tests can see a beep they cannot hear. */
declare global {
  interface Window {
    __stocknerveTones?: number;
  }
}

let audio: AudioContext | null = null;

/**
 * A short tone (Web Audio, no sound file): a cashier looking at the customer hears that a scan was
 * refused.
 */
export const beep = (frequencyHz = 660, durationMs = 180): void => {
  window.__stocknerveTones = (window.__stocknerveTones ?? 0) + 1;
  try {
    audio ??= new AudioContext();
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.type = 'square';
    oscillator.frequency.value = frequencyHz;
    gain.gain.value = 0.08;
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start();
    oscillator.stop(audio.currentTime + durationMs / 1000);
  } catch (error) {
    // A till without an audio device still flashes the field.
    console.warn('beep failed', error);
  }
};
