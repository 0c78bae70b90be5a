"""No frame leaves the page: while the webcam runs and a photo is parsed and exported, the page
sends nothing anywhere (the `app` fixture also checks that every request goes to the app's own
server)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_camera_photo_and_exports_send_nothing(app, webcam_frame, tmp_path):
    sent, sockets = [], []
    app.page.on("request", lambda request: sent.append((request.method, request.url, request.post_data_buffer)))
    app.page.on("websocket", lambda socket: sockets.append(socket.url))
    app.open(backend="wasm", size=288)
    during_load = list(sent)
    assert all(method == "GET" and not body for method, _, body in during_load), [r for r in during_load if r[0] != "GET" or r[2]]
    sent.clear()

    app.start_camera()
    app.wait_frames(3)
    photo = tmp_path / "private.png"
    Image.fromarray(webcam_frame).save(photo)
    app.open_photo(photo)
    app.wait_parsed("private.png")
    exported = [app.export(button) for button in ("#export-label", "#export-color", "#export-areas")]
    assert all(exported), "the exports are downloads made in the page"
    Image.open(io.BytesIO(exported[0])).verify()

    # Once loaded, the app makes no request at all: frames, photos and exports stay in the page.
    assert sent == [], f"requests after the app was ready: {[(m, u) for m, u, _ in sent]}"
    assert sockets == []
