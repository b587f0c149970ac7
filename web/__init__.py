"""The review web app for the assessment team (考核小组): ``govwatch serve``.

``web.app.create_app`` builds the Starlette application; ``web.auth`` holds accounts and
password hashing; ``web.queries`` what the pages show; ``web.views`` the route handlers.
"""
