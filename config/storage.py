"""Static files in production: WhiteNoise's hashed, compressed copies, with ES module imports rewritten.

The minutes editor's script is a set of native ES modules (static/js/editor/) that import each other
by relative name (`import { … } from "./core.js"`). The page asks for the hashed entry module; left
alone, that module would import its siblings by their plain names, which WhiteNoise serves with a
short cache (60 s), so a browser could run a new entry module with a sibling from before a deploy.
With the imports rewritten to the hashed names, every module of a page is of one deploy, and each is
cached for a year like the other hashed files.

A file's imports get their final names only once its targets have theirs, so collectstatic goes over
the files again until nothing changes; in the worst order of files that is one pass per level of
imports. The editor's imports run seven levels deep (main → additions → forms → blocks → agenda →
core → fields → page), more than the five passes Django allows by default. A cycle between modules
would never settle: tests/test_static_storage.py keeps the modules acyclic and within the passes.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
    max_post_process_passes = 12
