"""WordprocessingML names and the few XML helpers both the DOCX loader and its page model use.

Kept below both (`docx` imports `docx_pages`), so that neither writes them again.
"""
from __future__ import annotations

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


W_VAL, W_SDT, W_SDT_CONTENT = w("val"), w("sdt"), w("sdtContent")
WRAPPERS = {w("customXml"), w("ins"), w("moveTo")}  # looked through between blocks, rows and cells


def children(el, want: str | None = None):
    """Children in order, looking through content controls and custom-XML and insertion wrappers."""
    for child in el:
        tag = child.tag
        if tag == W_SDT:
            content = child.find(W_SDT_CONTENT)
            if content is not None:
                yield from children(content, want)
        elif tag in WRAPPERS:
            yield from children(child, want)
        elif want is None or tag == want:
            yield child


def val(parent, tag: str) -> str | None:
    """The w:val of `parent`'s child `tag` (a local name), or None."""
    if parent is None:
        return None
    el = parent.find(w(tag))
    return None if el is None else el.get(W_VAL)


def on(el) -> bool:
    """A w:b / w:vanish style toggle: present and not switched off."""
    return el is not None and el.get(W_VAL, "true").lower() not in ("0", "false", "off", "none")
