"""No frame leaves the page: while the webcam runs and a photo is parsed and exported, the page
sends nothing anywhere (the `page` fixture also checks that every request goes to the app's own
server)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.e2e.app_driver import export, open_app, start_camera, wait_frames

pytestmark = pytest.mark.e2e


def test_camera_photo_and_exports_send_nothing(page, live_server, webcam_frame, tmp_path):
    sent, sockets = [], []
    page.on("request", lambda request: sent.append((request.method, request.url, request.post_data_buffer)))
    page.on("websocket", lambda socket: sockets.append(socket.url))
    open_app(page, live_server, backend="wasm", size=288)
    during_load = list(sent)
    assert all(method == "GET" and not body for method, _, body in during_load), [r for r in during_load if r[0] != "GET" or r[2]]
    sent.clear()

    start_camera(page)
    wait_frames(page, 3)
    photo = tmp_path / "private.png"
    Image.fromarray(webcam_frame).save(photo)
    page.set_input_files("#photo-input", str(photo))
    page.wait_for_function("document.querySelector('#status-text').textContent === 'Parsed private.png'")
    exported = [export(page, button) for button in ("#export-label", "#export-color", "#export-areas")]
    assert all(exported), "the exports are downloads made in the page"
    Image.open(io.BytesIO(exported[0])).verify()

    # Once loaded, the app makes no request at all: frames, photos and exports stay in the page.
    assert sent == [], f"requests after the app was ready: {[(m, u) for m, u, _ in sent]}"
    assert sockets == []
