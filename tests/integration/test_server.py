"""The server on the built app (vendor/, models/dist/): what it serves, with which headers, and what not."""

import pytest

from server import create_app

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def test_index_is_the_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert b'<script type="py"' in response.data


@pytest.mark.parametrize(
    ("path", "mimetype"),
    [
        ("/web/js/app.js", "text/javascript"),
        ("/worker/worker.js", "text/javascript"),
        ("/vendor/pyodide/pyodide.mjs", "text/javascript"),
        ("/vendor/pyodide/pyodide.asm.wasm", "application/wasm"),
        ("/vendor/tfjs/tfjs-backend-wasm-simd.wasm", "application/wasm"),
        ("/models/manifest.json", "application/json"),
        ("/models/bisenetv2-celebamask/tfjs/model.json", "application/json"),
        ("/web/python/faceparts/pipeline.py", "text/x-python"),
    ],
)
def test_assets_are_served_with_their_mime_type(client, path, mimetype):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.mimetype == mimetype


def test_every_response_is_cross_origin_isolated_and_locked_down(client):
    for path in ("/", "/vendor/pyodide/pyodide.asm.wasm", "/does-not-exist"):
        headers = client.get(path).headers
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert headers["Cross-Origin-Embedder-Policy"] == "require-corp"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert "default-src 'self'" in headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path",
    [
        "/web/../server.py",
        "/web/%2e%2e/server.py",
        "/web/%252e%252e/server.py",
        "/vendor/..%2f..%2fpyproject.toml",
        "/models/..%2fbuild.py",
        "/web/..%5c..%5cserver.py",
        "/worker/%2e%2e%2f%2e%2e%2fetc/passwd",
        "//etc/passwd",
    ],
)
def test_paths_outside_the_served_folders_are_refused(client, path):
    response = client.get(path)
    assert response.status_code in (400, 404), path
    assert b"create_app" not in response.data and b"root:" not in response.data


@pytest.mark.parametrize("path", ["/web/", "/vendor/", "/vendor/pyodide/", "/models/", "/web/python/faceparts/__pycache__/"])
def test_no_directory_listing(client, path):
    assert client.get(path).status_code == 404


def test_only_the_suffixes_the_page_loads_are_served(client, tmp_path):
    (tmp_path / "secret.txt").write_text("secret")
    (tmp_path / "page.html").write_text("<p>hi</p>")
    app = create_app({"WEB_DIR": tmp_path})
    with app.test_client() as test_client:
        assert test_client.get("/web/secret.txt").status_code == 404
        assert test_client.get("/web/page.html").status_code == 200


def test_write_methods_are_refused(client):
    for method in ("post", "put", "delete", "patch"):
        assert getattr(client, method)("/").status_code == 405
