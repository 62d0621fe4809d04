// Background blur, for a patient who does not want their home seen: MediaPipe's selfie
// segmentation (its model and WebAssembly come in the npm package and are served from our own
// origin, `/vendor/selfie-segmentation/`, copied there by `make`; never from a third-party
// CDN) finds the person in each camera frame; a canvas draws the person sharp over the same
// frame blurred, and the canvas's stream is what the call sends. Nothing of it loads until
// somebody chooses the blur (about 6 MB, once; the browser caches it).

const BASE = "/vendor/selfie-segmentation/";
const FRAME_MS = 1000 / 20; // 20 frames a second: plenty for a consultation, light on a phone
const BLUR = "blur(14px)";

let loading = null;

/** The segmentation library (a classic script that defines `window.SelfieSegmentation`). */
function loadLibrary() {
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = `${BASE}selfie_segmentation.js`;
      script.addEventListener("load", () => resolve(window.SelfieSegmentation));
      script.addEventListener("error", () => {
        loading = null;
        reject(new Error("the background blur could not be loaded"));
      });
      document.head.append(script);
    });
  }
  return loading;
}

/**
 * A video track showing `cameraTrack` with its background blurred; `stop()` ends it (the
 * camera track itself is left to its owner).
 */
export async function blurredTrack(cameraTrack) {
  const SelfieSegmentation = await loadLibrary();
  const segmenter = new SelfieSegmentation({ locateFile: (file) => `${BASE}${file}` });
  segmenter.setOptions({ modelSelection: 1, selfieMode: false });
  await segmenter.initialize();

  const video = document.createElement("video");
  video.muted = true;
  video.playsInline = true;
  video.srcObject = new MediaStream([cameraTrack]);
  await video.play();
  const { width = 640, height = 480 } = cameraTrack.getSettings();
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  segmenter.onResults(({ image, segmentationMask }) => {
    context.save();
    context.clearRect(0, 0, width, height);
    context.drawImage(segmentationMask, 0, 0, width, height);
    context.globalCompositeOperation = "source-in"; // the person, where the mask is
    context.drawImage(image, 0, 0, width, height);
    context.globalCompositeOperation = "destination-over"; // the rest, blurred, behind
    context.filter = BLUR;
    context.drawImage(image, 0, 0, width, height);
    context.restore();
  });

  let running = true;
  const step = async () => {
    if (!running) return;
    const started = performance.now();
    try {
      if (video.readyState >= 2) await segmenter.send({ image: video });
    } catch {
      // a frame the model could not take: the next one tries again
    }
    setTimeout(step, Math.max(0, FRAME_MS - (performance.now() - started)));
  };
  step();
  const track = canvas.captureStream(1000 / FRAME_MS).getVideoTracks()[0];
  return {
    track,
    stop() {
      running = false;
      track.stop();
      video.srcObject = null;
      segmenter.close().catch(() => {});
    },
  };
}
