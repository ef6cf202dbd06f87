"""The demo workspace: realistic people, leads and pools made through the apps' own services
(``manage.py seed_demo``, used by ``make run``). It sits above every app and may import any of
them; nothing imports it."""
