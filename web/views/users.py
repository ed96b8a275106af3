"""用户 (admins): list, add, disable accounts from the browser (the CLI does the same)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from xunjian.storage.accounts import ROLES, add_user, disable_user, list_users
from xunjian.web.auth import Principal, admin, get_db
from xunjian.web.render import render

router = APIRouter()


@router.get("/users")
def users_page(request: Request, p: Principal = Depends(admin), db: Session = Depends(get_db)) -> Response:
    return render(request, "users.html", users=list_users(db), roles=ROLES)


@router.post("/users")
def users_add(request: Request, name: str = Form(...), role: str = Form(...), password: str = Form(...),
              p: Principal = Depends(admin), db: Session = Depends(get_db)) -> Response:
    add_user(db, name, role, password, actor=p.name)
    db.commit()
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{name}/disable")
def users_disable(request: Request, name: str, p: Principal = Depends(admin),
                  db: Session = Depends(get_db)) -> Response:
    disable_user(db, name, actor=p.name)
    db.commit()
    return RedirectResponse("/users", status_code=303)
