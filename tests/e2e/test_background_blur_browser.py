"""The call's background blur in Chromium: MediaPipe's selfie segmentation loads from our own
origin only (the model and its WebAssembly, copied from npm by `make vendor`), and the track it
gives is the camera's picture blurred: clearly less detail than the camera's own frames.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser

from tests.e2e.local_stack import RunningStack

pytestmark = pytest.mark.browser

#: The camera's frame and the blurred track's, drawn side by side; the sum of differences
#: between neighbouring pixels says how much detail each one has.
BLUR_AND_MEASURE = """async () => {
  const { blurredTrack } = await import('/shared/call/blur.js');
  const camera = (await navigator.mediaDevices.getUserMedia(
    { video: { width: 320, height: 240 } })).getVideoTracks()[0];
  const blur = await blurredTrack(camera);
  const play = async (track) => {
    const video = document.createElement('video');
    video.muted = true;
    video.srcObject = new MediaStream([track]);
    await video.play();
    return video;
  };
  const [raw, blurred] = [await play(camera), await play(blur.track)];
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const frameDetail = (video) => {
    const canvas = document.createElement('canvas');
    canvas.width = 320; canvas.height = 240;
    const context = canvas.getContext('2d');
    context.drawImage(video, 0, 0, 320, 240);
    const pixels = context.getImageData(0, 0, 320, 240).data;
    let sum = 0;
    for (let i = 4; i < pixels.length; i += 4) sum += Math.abs(pixels[i] - pixels[i - 4]);
    return sum;
  };
  // Five frames each, 200 ms apart: the fake camera's picture moves.
  const detail = async (video) => {
    let total = 0;
    for (let i = 0; i < 5; i += 1) {
      total += frameDetail(video);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return total / 5;
  };
  const result = { raw: await detail(raw), blurred: await detail(blurred),
                   width: blurred.videoWidth, fromCanvas: 'canvas' in blur.track };
  blur.stop();
  camera.stop();
  return result;
}"""


def test_the_blur_loads_from_our_origin_and_blurs(stack: RunningStack, browser: Browser) -> None:
    page = browser.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.goto(f"{stack.options.front_url}/j/")

    measured = page.evaluate(BLUR_AND_MEASURE)

    assert hosts == {urlsplit(stack.options.front_url).netloc}, hosts  # no CDN, nothing else
    assert measured["fromCanvas"] and measured["width"] == 320, measured
    assert measured["blurred"] > 0, measured  # a picture, not a blank canvas
    # Without the blur the two are alike (ratio about 1.04); the segmentation may keep a
    # shape of the fake picture sharp, as it would a person, so not all detail goes.
    assert measured["blurred"] < measured["raw"] * 0.75, measured
    page.close()
