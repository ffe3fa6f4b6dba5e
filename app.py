"""The eqgnn dashboard: ``streamlit run app.py``.

The entry point only declares the pages (``st.navigation``), so the sidebar
reads Home, Gallery, Explorer, Depth map, Steerable features, Lesson and every
page has a short address (``/gallery``, ``/explorer``, ``/depth``,
``/steerable``, ``/lesson``, ``/audit``); each page file draws itself. The first run on a
server starts its warm-up (``ui.warmup``: live-run workers and the default
models, in the background).
"""

import streamlit as st

from ui import heap, warmup

# (file, title, url path). No page icons: Streamlit turns a page's Material icon
# into a favicon fetched from a font CDN, and the dashboard must run offline.
# The folder is not called ``pages/``: Streamlit would also serve those files
# on its own, and a fresh server's first deep link would bypass this navigation.
PAGES = [
    ("app_pages/home.py", "Home", None),
    ("app_pages/gallery.py", "Gallery", "gallery"),
    ("app_pages/explorer.py", "Explorer", "explorer"),
    ("app_pages/depth.py", "Depth map", "depth"),
    ("app_pages/steerable.py", "Steerable features", "steerable"),
    ("app_pages/lesson.py", "Lesson", "lesson"),
    ("app_pages/audit.py", "Audit a model", "audit"),
]

st.set_page_config(page_title="eqgnn", layout="wide")
# Streamlit leaves 6rem above a page, its header bar 3.75rem of it; on a projector's
# 1024x768 the rest pushes the pair and its verdict below the first screen. A style
# block only: Streamlit draws no element for it.
st.html("<style>[data-testid='stMainBlockContainer'] { padding-top: 3.75rem; }</style>")
warmup.start()
st.navigation([
    st.Page(file, title=title, url_path=path, default=path is None)
    for file, title, path in PAGES
]).run()
heap.freeze_new_imports()
