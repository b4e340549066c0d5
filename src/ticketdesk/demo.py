"""Believable demo history: months of tickets worked through the real services."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ticketdesk.accounts.models import User
from ticketdesk.accounts.passwords import generate_password
from ticketdesk.accounts.service import create_token, create_user
from ticketdesk.db import utcnow
from ticketdesk.enums import Priority, Role, Status
from ticketdesk.tickets.comments import add_comment
from ticketdesk.tickets.service import create_ticket, update_ticket

CATEGORIES = {
    "billing": [
        "Charged twice for {month}",
        "Invoice shows the wrong VAT number",
        "Refund for cancelled plan not received",
        "Cannot download {month} invoice",
    ],
    "login": [
        "Password reset email never arrives",
        "Locked out after enabling 2FA",
        "SSO login loops back to the sign-in page",
    ],
    "bug": [
        "Export to CSV cuts off at 1000 rows",
        "Dashboard shows a blank chart on Safari",
        "Attachments over 5 MB fail silently",
        "Search ignores accented characters",
    ],
    "feature request": [
        "Please add dark mode",
        "Bulk-edit tags on tickets",
        "Webhook when a ticket is closed",
    ],
    "account": [
        "Change the owner of our workspace",
        "Delete my account and data",
        "Add three seats to our plan",
    ],
    "hardware": ["Laptop docking station not detected", "Printer on floor 2 jams constantly"],
}
# Median hours to resolve, by priority: urgent work is done faster.
MEDIAN_HOURS = {Priority.URGENT: 3, Priority.HIGH: 10, Priority.NORMAL: 30, Priority.LOW: 70}
REPLIES = [
    "Thanks for reporting this, I'm looking into it now.",
    "Could you send a screenshot of what you see?",
    "Here it is, the error appears right after I click save.",
    "I've reproduced it and passed it to the engineers.",
    "A fix has been deployed; can you confirm it works for you?",
    "Confirmed, all good now. Thank you!",
]
NOTES = ["Same root cause as last week's incident.", "Customer is on the enterprise plan."]


@dataclass
class DemoLogin:
    email: str
    role: Role
    password: str
    token: str


def seed_demo(
    session: Session, *, tickets: int = 300, seed: int = 7, now: datetime | None = None
) -> list[DemoLogin]:
    """Create demo users and `tickets` tickets over the last six months; return the logins."""
    rng = random.Random(seed)
    now = now or utcnow()
    logins: list[DemoLogin] = []

    def person(email: str, name: str, role: Role) -> User:
        password = generate_password()
        user = create_user(session, email=email, role=role, name=name, password=password)
        _token, raw_token = create_token(session, user_id=user.id, label="demo")
        logins.append(DemoLogin(email, role, password, raw_token))
        return user

    admin = person("admin@example.com", "Ada Admin", Role.ADMIN)
    agents = [admin] + [
        person(f"{first.lower()}@example.com", f"{first} Agent", Role.AGENT)
        for first in ("Sam", "Priya", "Tomas")
    ]
    requesters = [
        person(f"{first.lower()}@example.org", f"{first} {last}", Role.REQUESTER)
        for first, last in [
            ("Rita", "Requester"),
            ("Omar", "Haddad"),
            ("Lena", "Fischer"),
            ("Kenji", "Watanabe"),
            ("Grace", "Okafor"),
            ("Marta", "Silva"),
        ]
    ]
    for _ in range(tickets):
        _demo_ticket(session, rng, now, agents, requesters)
    return logins


def _demo_ticket(
    session: Session, rng: random.Random, now: datetime, agents: list[User], requesters: list[User]
) -> None:
    category = rng.choice(list(CATEGORIES))
    title = rng.choice(CATEGORIES[category]).format(month=rng.choice(["March", "June", "May"]))
    priority = rng.choices(list(Priority), weights=[2, 6, 3, 1])[0]
    requester = rng.choice(requesters)
    agent = rng.choice(agents)
    # Skewed towards recent weeks, so the backlog has fresh open tickets as well as history.
    opened = now - timedelta(days=180 * rng.random() ** 1.6)
    ticket_id = create_ticket(
        session,
        actor=requester,
        title=title,
        priority=priority,
        category=category,
        description=f"{title}.\n\nSteps: it happens every time since yesterday.",
        now=opened,
    )["id"]
    if now - opened < timedelta(days=7) and rng.random() < 0.5:
        return  # the fresh backlog nobody has picked up yet
    hours = rng.lognormvariate(math.log(MEDIAN_HOURS[priority]), 0.8)
    resolved = opened + timedelta(hours=hours)
    touch = opened + timedelta(hours=rng.lognormvariate(math.log(3), 1.2))
    if touch >= now:
        return
    update_ticket(
        session,
        actor=agent,
        ticket_id=ticket_id,
        now=touch,
        changes={"assignee_id": agent.id, "status": Status.IN_PROGRESS},
    )
    add_comment(session, actor=agent, ticket_id=ticket_id, content=REPLIES[0], now=touch)
    if rng.random() < 0.3:
        add_comment(
            session,
            actor=agent,
            ticket_id=ticket_id,
            content=rng.choice(NOTES),
            internal=True,
            now=touch + timedelta(minutes=3),
        )
    waiting = touch + (resolved - touch) / 3
    if rng.random() < 0.4 and waiting < now:
        update_ticket(
            session,
            actor=agent,
            ticket_id=ticket_id,
            now=waiting,
            changes={"status": Status.WAITING},
        )
        add_comment(session, actor=agent, ticket_id=ticket_id, content=REPLIES[1], now=waiting)
        answered = waiting + (resolved - waiting) / 2
        if answered >= now:
            return
        add_comment(session, actor=requester, ticket_id=ticket_id, content=REPLIES[2], now=answered)
        update_ticket(
            session,
            actor=agent,
            ticket_id=ticket_id,
            now=answered,
            changes={"status": Status.IN_PROGRESS},
        )
    if resolved >= now:
        return
    update_ticket(
        session, actor=agent, ticket_id=ticket_id, now=resolved, changes={"status": Status.RESOLVED}
    )
    add_comment(session, actor=agent, ticket_id=ticket_id, content=REPLIES[4], now=resolved)
    closed = resolved + timedelta(days=rng.uniform(1, 5))
    if closed < now:
        update_ticket(
            session, actor=agent, ticket_id=ticket_id, now=closed, changes={"status": Status.CLOSED}
        )
