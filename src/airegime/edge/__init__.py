"""What every HTTP request meets before a route, for the web pages and the REST API alike.

``access`` (who acts), ``deps`` (typed dependencies: ``RepoDep``, ``KbDep``, ``CurrentUser``, the
roles routers ``require``), ``headers`` (security headers, ``no-store``, HEAD as GET), ``limits``
(request body sizes) and ``inputs`` (ids, texts and JSON as sent). It imports neither
``airegime.web`` nor ``airegime.api``: both build on it, and the web app mounts the API.
"""
