"""Demo data for `seed_demo`: two mailboxes, four users, customers, conversations."""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from inbox import roles, services
from inbox.models import Conversation, Label, Mailbox, Membership, Message

DEMO_PASSWORD = "replypad"  # noqa: S105 - documented demo login, changeable by the admin

USERS = [
    # username, first, last, role, staff, mailboxes (by index)
    ("admin", "Ada", "Admin", roles.ADMIN, True, [0, 1]),
    ("lead", "Lee", "Lead", roles.LEAD, False, [0, 1]),
    ("agent", "Alice", "Agent", roles.AGENT, False, [0]),
    ("agent2", "Bob", "Agent", roles.AGENT, False, [1]),
]
MAILBOXES = [
    ("Acme Support", "support@acme.test", "— Acme Support\nWe read every message."),
    ("Acme Billing", "billing@acme.test", "— Acme Billing team"),
]
LABELS = [
    ("billing", "#9a6700"),
    ("outage", "#b42318"),
    ("login", "#0b5cad"),
    ("bug", "#8250df"),
    ("feature-request", "#1a7f37"),
    ("refund", "#bf3989"),
]
FIRST = [
    "Maya",
    "Tom",
    "Priya",
    "Lucas",
    "Chen",
    "Fatima",
    "Oliver",
    "Sofia",
    "Kenji",
    "Amara",
    "Noah",
    "Elena",
    "Ravi",
    "Grace",
    "Mateo",
    "Hannah",
    "Yusuf",
    "Ingrid",
    "Diego",
    "Zoe",
]
LAST = [
    "Nguyen",
    "Smith",
    "Patel",
    "Martin",
    "Wei",
    "Khan",
    "Brown",
    "Rossi",
    "Sato",
    "Okafor",
]
COMPANIES = [
    "Globex",
    "Initech",
    "Umbrella Health",
    "Stark Logistics",
    "Wayne Retail",
    "",
]

# (label, subject, customer messages, agent replies) — angry, confused and polite customers.
STORIES = [
    (
        "outage",
        "Dashboard down AGAIN",
        [
            "Your dashboard has been down for two hours. This is the third time this month and my whole team is blocked. Unacceptable.",
            "It's still not working. I need a real answer, not another 'we are looking into it'.",
        ],
        [
            "Hi {first}, I'm sorry — two hours without the dashboard is a real blocker for your team. Our engineers traced it to a failed database node; I'm personally following it and will update you by 15:00 today."
        ],
    ),
    (
        "billing",
        "Charged twice for March",
        [
            "Hi, I was charged twice for my March invoice (two payments of $49). Could you check please?"
        ],
        [
            "Thanks for flagging this, {first}. You're right: the second charge was our mistake. I've refunded $49 today; it will show on your statement within 5 business days."
        ],
    ),
    (
        "login",
        "Can't log in after password reset",
        [
            "I reset my password but the login page keeps saying 'invalid credentials'. I'm confused, what am I doing wrong?",
            "Tried again in a private window, same thing.",
        ],
        [
            "Hi {first}, thanks for trying the private window — that rules out cached sessions. I've cleared a stale lock on your account; please try again now and reply here if it still fails."
        ],
    ),
    (
        "refund",
        "Refund request",
        [
            "I'd like a refund for the annual plan, we moved to another tool. Thanks for your help so far!"
        ],
        [],
    ),
    (
        "bug",
        "Export to CSV cuts off rows",
        [
            "The CSV export only includes the first 1000 rows. Is that a limit or a bug? It's pretty frustrating when preparing reports."
        ],
        [
            "Good catch, {first} — that's a bug, not a limit. Our developer Sam owns the fix and expects to ship it by Thursday; I'll write to you as soon as it's live."
        ],
    ),
    (
        "feature-request",
        "Dark mode?",
        ["Love the product! Any plans for a dark mode? My eyes would thank you :)"],
        [
            "Thanks so much, {first}! Dark mode is on our roadmap for next quarter; I've added your vote."
        ],
    ),
    (
        "outage",
        "Emails not arriving",
        [
            "None of our notification emails have arrived since this morning. Customers are complaining to us. What is going on??"
        ],
        [],
    ),
    (
        "billing",
        "VAT number on invoice",
        [
            "Hello, could you add our VAT number (GB123456789) to future invoices? Many thanks."
        ],
        [
            "Hi {first}, done — the VAT number will appear on every invoice from today. Thanks for letting us know!"
        ],
    ),
]


@transaction.atomic
def seed(
    *, conversations: int = 120, days: int = 60, seed_value: int = 7
) -> dict[str, int]:
    """Create the demo data once; a second run finds it and changes nothing."""
    roles.ensure_roles()
    if Mailbox.objects.filter(email=MAILBOXES[0][1]).exists():
        return {"conversations": 0}
    rng = random.Random(seed_value)  # noqa: S311 - demo data, not security
    mailboxes = [
        Mailbox.objects.create(
            name=name, email=email, signature=signature, check_in_after_days=3
        )
        for name, email, signature in MAILBOXES
    ]
    mailboxes[0].auto_reply_enabled = True
    mailboxes[0].auto_reply_subject = "We got your message"
    mailboxes[0].auto_reply_body = (
        "Hi {{ customer.first_name | default('there') }}, thanks for writing to Acme Support. "
        "A person on our team will answer within 4 business hours."
    )
    mailboxes[0].save()
    users = {}
    User = get_user_model()
    for username, first, last, role, staff, boxes in USERS:
        user = User.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            email=f"{username}@acme.test",
            first_name=first,
            last_name=last,
            is_staff=staff,
            is_superuser=staff,
        )
        user.groups.add(Group.objects.get(name=role))
        for index in boxes:
            Membership.objects.create(mailbox=mailboxes[index], user=user)
        users[username] = user
    labels = {
        name: Label.objects.get_or_create(name=name, defaults={"colour": c})[0]
        for name, c in LABELS
    }
    customers = []
    for i in range(40):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 3) % len(LAST)]
        name = f"{first} {last}" if i % 9 else ""  # some customers never give a name
        customers.append(
            services.get_or_create_customer(
                f"{first.lower()}.{last.lower()}{i}@example.test", name=name
            )
        )
        customers[-1].company = COMPANIES[i % len(COMPANIES)]
        customers[-1].save(update_fields=["company"])
    now = timezone.now()
    for i in range(conversations):
        label, subject, inbound, replies = STORIES[i % len(STORIES)]
        mailbox = (
            mailboxes[0] if label != "billing" and label != "refund" else mailboxes[1]
        )
        agent = users["agent"] if mailbox == mailboxes[0] else users["agent2"]
        customer = customers[rng.randrange(len(customers))]
        start = now - timedelta(days=rng.uniform(0, days), hours=rng.uniform(0, 8))
        first = customer.first_name or "there"
        thread: list[tuple[timedelta, str, str]] = []  # (offset, kind, text)
        offset = timedelta()
        for turn, text in enumerate(inbound):
            thread.append((offset, Message.Kind.INBOUND, text))
            offset += timedelta(minutes=rng.randint(20, 300))
            if turn < len(replies):
                reply = replies[turn].format(first=first)
                thread.append((offset, Message.Kind.REPLY, reply))
                offset += timedelta(minutes=rng.randint(30, 600))
        # A thread started in the last day or so would run past now: end it by now.
        start = min(start, now - thread[-1][0])
        conversation = services.create_conversation(
            mailbox=mailbox, customer=customer, subject=subject, at=start
        )
        for offset_in_thread, kind, text in thread:
            at = start + offset_in_thread
            if kind == Message.Kind.INBOUND:
                services.append_message(
                    conversation,
                    kind=kind,
                    from_email=customer.email,
                    from_name=customer.name,
                    to=[mailbox.email],
                    text=text,
                    at=at,
                )
            else:
                services.append_message(
                    conversation,
                    kind=kind,
                    from_email=mailbox.email,
                    from_name=agent.get_full_name(),
                    to=[customer.email],
                    text=text,
                    author=agent,
                    at=at,
                    delivery_status=Message.DeliveryStatus.DELIVERED,
                    sent_at=at,
                )
        services.change_labels(conversation, add=[labels[label]], by=None)
        if replies:
            services.assign(conversation, to=agent, by=None)
        roll = rng.random()
        if roll < 0.45 and start + offset < now - timedelta(days=1):
            services.change_status(
                conversation, status=Conversation.Status.RESOLVED, by=None
            )
        elif roll < 0.6:
            services.change_status(
                conversation, status=Conversation.Status.PENDING, by=None
            )
        elif roll < 0.65:
            services.snooze(
                conversation, until=now + timedelta(days=rng.randint(1, 5)), by=None
            )
    return {"conversations": conversations}
