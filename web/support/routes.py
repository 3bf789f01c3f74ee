from __future__ import annotations

from flask import Blueprint

bp = Blueprint("support", __name__)
