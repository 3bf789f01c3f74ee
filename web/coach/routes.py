from __future__ import annotations

from flask import Blueprint

bp = Blueprint("coach", __name__)
