// The door: read an attendee's badge or personal QR code with the camera (or from a photo) and
// check them in (the server tells a badge, /b/<key>/, from a personal link, /a/<token>/). The browser's BarcodeDetector where it reads QR codes, else the vendored jsQR
// decoder (static/vendor/jsqr, Apache-2.0), loaded only when needed.

const root = document.querySelector('[data-door]');

function loadScript(url) {
  return new Promise((resolve, reject) => {
    if (window.jsQR) return resolve();
    const script = document.createElement('script');
    script.src = url;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`could not load ${url}`));
    document.head.append(script);
  });
}

// A function from a canvas to the text of the QR code on it, or null.
let reader = null;
async function qrReader() {
  if (reader) return reader;
  if ('BarcodeDetector' in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes('qr_code')) {
        const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
        reader = async (canvas) => (await detector.detect(canvas))[0]?.rawValue ?? null;
        return reader;
      }
    } catch {
      // fall through to jsQR
    }
  }
  await loadScript(root.dataset.jsqrUrl);
  reader = async (canvas) => {
    const context = canvas.getContext('2d', { willReadFrequently: true });
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    return window.jsQR(image.data, image.width, image.height)?.data ?? null;
  };
  return reader;
}

function canvasOf(source, width, height) {
  const canvas = document.createElement('canvas');
  const scale = Math.min(1, 1024 / Math.max(width, height));
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  canvas.getContext('2d', { willReadFrequently: true }).drawImage(source, 0, 0, canvas.width, canvas.height);
  return canvas;
}

const status = root?.querySelector('[data-door-status]');
const say = (text) => { if (status) status.textContent = text; };

let last = { code: null, at: 0 };
function submit(code) {
  const now = Date.now();
  if (code === last.code && now - last.at < 4000) return; // the same code still in view
  last = { code, at: now };
  const form = root.querySelector('[data-door-form]');
  form.querySelector('[data-door-code]').value = code;
  form.requestSubmit();
}

async function readPhoto(file) {
  const bitmap = await createImageBitmap(file);
  const read = await qrReader();
  const code = await read(canvasOf(bitmap, bitmap.width, bitmap.height));
  if (code) {
    last = { code: null, at: 0 }; // a photo chosen again is meant
    submit(code);
  } else {
    say(root.dataset.textNoCode);
  }
}

async function startCamera(button) {
  const video = root.querySelector('[data-door-video]');
  say(root.dataset.textStarting);
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
  } catch {
    say(root.dataset.textNoCamera);
    return;
  }
  button.disabled = true;
  video.srcObject = stream;
  video.hidden = false;
  await video.play();
  say(root.dataset.textScanning);
  const read = await qrReader();
  const tick = async () => {
    if (video.videoWidth) {
      const code = await read(canvasOf(video, video.videoWidth, video.videoHeight));
      if (code) submit(code);
    }
    setTimeout(tick, 250);
  };
  tick();
}

if (root) {
  root.querySelector('[data-door-camera]')?.addEventListener('click', (event) => {
    startCamera(event.currentTarget);
  });
  root.querySelector('[data-door-photo]')?.addEventListener('change', (event) => {
    const file = event.target.files?.[0];
    if (file) readPhoto(file).catch(() => say(root.dataset.textNoCode));
    event.target.value = '';
  });
}
