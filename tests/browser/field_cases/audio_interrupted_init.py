"""Case 19. Playwright init script: a recording AudioContext stub plus controllable page visibility.
Open a room page with it, tap, start a round, then set window.__ctx.state = 'interrupted', hide/show, tap, wait a turn:
window.__audio.resumes stays 1 and oscsWhileNotRunning grows."""

FAKE_AUDIO = """
window.__audio = {created: 0, resumes: 0, oscs: 0, oscsWhileNotRunning: 0};
class FakeCtx {
  constructor() { window.__audio.created++; window.__ctx = this; this.state = 'running'; this.currentTime = 0; this.destination = {}; }
  resume() { window.__audio.resumes++; this.state = 'running'; return Promise.resolve(); }
  createOscillator() { window.__audio.oscs++; if (this.state !== 'running') window.__audio.oscsWhileNotRunning++;
    const gain = {connect(){ return {}; }}; return {frequency: {}, connect(){ return gain; }, start(){}, stop(){}}; }
  createGain() { return {gain: {setValueAtTime(){}, exponentialRampToValueAtTime(){}}, connect(){ return {}; }}; }
}
window.AudioContext = FakeCtx; window.webkitAudioContext = FakeCtx;
let vis = 'visible';
Object.defineProperty(document, 'visibilityState', {get: () => vis});
Object.defineProperty(document, 'hidden', {get: () => vis === 'hidden'});
window.__setVisibility = (v) => { vis = v; document.dispatchEvent(new Event('visibilitychange')); };
"""
