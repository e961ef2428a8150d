"""Files by button, paste and drag-and-drop: progress bar, image preview, download link."""

from __future__ import annotations

import base64
import re

import pytest
from playwright.sync_api import expect

from tests.web.helpers import Held, club, login, message, png_bytes, send

pytestmark = pytest.mark.e2e

DROP_OR_PASTE = """async ([kind, name, type, b64]) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const dt = new DataTransfer();
  dt.items.add(new File([bytes], name, {type}));
  if (kind === "paste") {
    const box = document.querySelector(".composer textarea");
    const init = {clipboardData: dt, bubbles: true, cancelable: true};
    box.dispatchEvent(new ClipboardEvent("paste", init));
  } else {
    const pane = document.querySelector("section.chat");
    for (const ev of ["dragover", "drop"]) {
      pane.dispatchEvent(new DragEvent(ev, {dataTransfer: dt, bubbles: true, cancelable: true}));
    }
  }
}"""


def test_upload_by_button_paste_and_drop(live, new_context):
    path = club(live.url)
    alice = login(new_context(), live.url, "alice", path)
    bob = login(new_context(), live.url, "bob", path)

    # Hold the upload back until its progress bar is on screen, then let it go.
    held = Held(alice, "**/api/upload")
    alice.get_by_test_id("file-input").set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"plain text notes\n"}
    )
    expect(alice.get_by_role("progressbar", name="Uploading notes.txt")).to_be_visible()
    held.release()
    expect(alice.get_by_role("progressbar")).to_have_count(0)
    send(alice, "the notes")
    link = message(bob, "the notes").get_by_role("link", name="Download notes.txt")
    expect(link).to_have_attribute("href", re.compile(r"^/uploads/.+notes\.txt$"))
    expect(link).to_have_attribute("download", "notes.txt")

    png = base64.b64encode(png_bytes((10, 200, 10))).decode()
    alice.get_by_role("textbox", name=re.compile("Message #general")).click()
    alice.evaluate(DROP_OR_PASTE, ["paste", "pasted.png", "image/png", png])
    expect(alice.locator(".upload .thumb")).to_be_visible()
    send(alice, "pasted")
    expect(message(bob, "pasted").locator("img.preview")).to_have_attribute(
        "src", re.compile(r"pasted\.png$")
    )

    alice.evaluate(DROP_OR_PASTE, ["drop", "dropped.png", "image/png", png])
    expect(alice.locator(".upload .thumb")).to_be_visible()
    send(alice, "dropped")
    img = message(bob, "dropped").locator("img.preview")
    expect(img).to_have_attribute("src", re.compile(r"dropped\.png$"))
    bob.wait_for_function("el => el.complete && el.naturalWidth === 64", arg=img.element_handle())

    # A refused type is reported, and nothing is attached.
    alice.get_by_test_id("file-input").set_input_files(
        {"name": "page.html", "mimeType": "text/html", "buffer": b"<html><script>x</script>"}
    )
    expect(alice.locator(".upload.error")).to_be_visible()
