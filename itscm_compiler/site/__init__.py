"""The offline runbook site: the loaded estate -> Markdown (Jinja2) -> MkDocs Material.

``build.build_site`` is the entry point; ``serve.serve`` wraps it in a live
preview. Jinja2 and MkDocs are imported only here, never on the lint path.
"""
