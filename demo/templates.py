"""Starter library of canned replies for `seed_demo`.

Each one follows the empathy advice Replypad is built around: acknowledge what
happened, apologise plainly, give the next step with a time, and name the
person who owns it. Values only the agent knows are `ask.*` placeholders, so
the composer asks for them instead of sending a blank.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from inbox.models import Mailbox
from templates_app import services
from templates_app.models import CannedTemplate

GREETING = 'Hi {{ customer.first_name | default(customer.name | first_name) | default("there") }},'
SIGN_OFF = "{{ agent.name }}\n{{ mailbox.signature | default(mailbox.name) }}"

# name, shortcut, category, mailbox email (None = every mailbox), subject, body, uses
STARTERS = [
    (
        "Damaged delivery",
        "damaged",
        "Shipping",
        None,
        'Re: {{ conversation.subject | default("your message") }}',
        GREETING
        + """

Thank you for telling us, and I'm sorry your order {{ ask.order_number }} arrived damaged. I understand how disappointing that is when you have been waiting for it.

I have asked our warehouse to send a replacement today, and you will have the tracking number by {{ ask.tracking_by }}. I'll keep an eye on it until it reaches you.

I'm looking after this for you personally, so just reply to this email if anything else comes up.

"""
        + SIGN_OFF,
        42,
    ),
    (
        "Outage: we're on it",
        "outage",
        "Incidents",
        None,
        'Re: {{ conversation.subject | default("your message") }}',
        GREETING
        + """

I'm sorry: {{ ask.affected_feature }} is not working as it should right now, and I know that gets in the way of your work. Our engineers have confirmed the problem and are working on a fix.

{{ conversation.escalation_owner | default(agent.name) }} is leading our response. I will send you an update by {{ conversation.next_update_at | datetime | default("10:00 tomorrow") }}, even if the fix is still in progress.

Thank you for your patience while we put this right.

"""
        + SIGN_OFF,
        87,
    ),
    (
        "Escalated to a specialist",
        "escalated",
        "Escalations",
        None,
        'Re: {{ conversation.subject | default("your message") }}',
        GREETING
        + """

Thank you for your patience, and I'm sorry this is taking longer than either of us hoped. What I understand is that {{ ask.issue_summary }}.

I have escalated this to {{ conversation.escalation_owner | default("our specialist team") }}, who will own it from here. The next step is {{ conversation.milestone | default("a full investigation") }}, due by {{ conversation.milestone_due_at | datetime | default("the end of tomorrow") }}, and you will hear from us by then either way.

If you have questions in the meantime, reply here and it will reach us both.

"""
        + SIGN_OFF,
        19,
    ),
    (
        "Refund issued",
        "refund",
        "Billing",
        "billing@acme.test",
        "Your refund for {{ ask.order_number }}",
        GREETING
        + """

I'm sorry for the trouble with this charge, and thank you for raising it with us. I have refunded {{ ask.refund_amount }} to your original payment method today; it usually shows within 5 to 7 business days.

If it has not arrived by {{ ask.refund_due }}, reply to this email and I will chase it with our payments team myself.

"""
        + SIGN_OFF,
        31,
    ),
    (
        "Feature request: not planned yet",
        "feature-not-yet",
        "Product",
        None,
        'Re: {{ conversation.subject | default("your message") }}',
        GREETING
        + """

Thank you for suggesting {{ ask.feature }}; I can see how it would help {{ customer.company | default("your team") }}. I'm sorry this is not better news: it is not in our plans for the coming months, so I would rather not promise a date.

I have added your request to our customer requests list, which our product team reviews every month, and I will write to you if that changes. In the meantime, {{ ask.workaround }} should get you most of the way there.

"""
        + SIGN_OFF,
        12,
    ),
    (
        "Checking in after a fix",
        "check-in",
        "Follow-up",
        None,
        "Is everything working again?",
        GREETING
        + """

I wanted to check that everything has worked well since we fixed {{ ask.issue_summary }}. I'm sorry again for the disruption it caused.

If anything still is not right, just reply and I will pick it up straight away.

"""
        + SIGN_OFF,
        8,
    ),
]


def seed() -> str:
    """Create the starter library once; existing shortcuts are left alone."""
    admin = get_user_model().objects.filter(username="admin").first()
    if admin is None:
        return "skipped: no admin user"
    created = 0
    with transaction.atomic():
        for name, shortcut, category, mailbox_email, subject, body, uses in STARTERS:
            if CannedTemplate.objects.filter(shortcut=shortcut).exists():
                continue
            mailboxes = (
                list(Mailbox.objects.filter(email=mailbox_email))
                if mailbox_email
                else []
            )
            template = services.create_template(
                by=admin,
                name=name,
                shortcut=shortcut,
                category=category,
                subject=subject,
                body=body,
                mailboxes=mailboxes,
            )
            CannedTemplate.objects.filter(pk=template.pk).update(usage_count=uses)
            created += 1
    return f"{created} canned replies"
