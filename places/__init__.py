"""Places: every case's location (LINE location, form pin, photo EXIF), same-problem candidates (same category within
a radius, or the same meaning nearby), merges, the public status page, the web report form and the Open311 read API.

The domain files (models, geo, config, service, public, photos, report, liff) load no web stack, so the worker can
use them; `views` holds the routes and pages."""
