"""Admin-editable phrase rules for the empathy checker, per mailbox and language."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from empathy.checker import PhraseSyntaxError, validate_phrase


class PhraseRule(models.Model):
    """One phrase the checker flags (avoid) or counts as done (signal).

    A row without a mailbox applies to every mailbox. A mailbox row with the
    same language, rule and phrase as a global one replaces it for that
    mailbox; an inactive mailbox row switches the global one off there.
    """

    class Kind(models.TextChoices):
        AVOID = "avoid", "Avoid: flag the phrase and offer a rewrite"
        SIGNAL = "signal", "Signal: the phrase satisfies a structure rule"

    class Severity(models.TextChoices):
        BLOCKER = "blocker", "Blocker"
        WARNING = "warning", "Warning"
        TIP = "tip", "Tip"

    mailbox = models.ForeignKey(
        "inbox.Mailbox",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="phrase_rules",
        help_text="Empty: applies to every mailbox.",
    )
    language = models.CharField(
        max_length=10, default="en", help_text="Language code, e.g. en, de, fr."
    )
    rule = models.SlugField(
        max_length=40,
        help_text=(
            "Finding id shown to agents and in the API, e.g. calm-down. For "
            "signals: acknowledge, apology, next-step, named-owner or check-back."
        ),
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.AVOID)
    phrase = models.CharField(
        max_length=300,
        help_text=(
            "Case-insensitive words. `(a|b|)` lists alternatives (empty = "
            "optional), `*` is any one word, a leading `^ ` means start of a "
            "sentence, a closing `[a|b]` must follow but is not replaced."
        ),
    )
    severity = models.CharField(
        max_length=10, choices=Severity.choices, default=Severity.WARNING
    )
    message = models.CharField(max_length=300, blank=True)
    suggestion = models.CharField(
        max_length=300,
        blank=True,
        help_text="Rewrite offered in the composer; empty removes the phrase.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["language", "rule", "phrase"]
        constraints = [
            models.UniqueConstraint(
                fields=["language", "rule", "phrase"],
                condition=Q(mailbox__isnull=True),
                name="phraserule_global_unique",
            ),
            models.UniqueConstraint(
                fields=["mailbox", "language", "rule", "phrase"],
                condition=Q(mailbox__isnull=False),
                name="phraserule_mailbox_unique",
            ),
        ]
        indexes = [
            # phrase_rules_for(): active rules of one language, global or one mailbox.
            models.Index(
                fields=["language", "mailbox"],
                condition=Q(is_active=True),
                name="phraserule_in_force_idx",
            ),
        ]

    def __str__(self) -> str:
        scope = self.mailbox.name if self.mailbox_id else "all mailboxes"
        return f"{self.rule}: {self.phrase} ({self.language}, {scope})"

    def clean(self) -> None:
        try:
            validate_phrase(self.phrase)
        except PhraseSyntaxError as error:
            raise ValidationError({"phrase": str(error)}) from error


class MailboxLanguage(models.Model):
    """The language replies from a mailbox are written in; English when absent.

    It picks the phrase rules in force, and English also brings the built-in
    structure detectors (acknowledge, apology, next step, owner, check-back).
    """

    mailbox = models.OneToOneField(
        "inbox.Mailbox", on_delete=models.CASCADE, related_name="empathy_language"
    )
    language = models.CharField(max_length=10, default="en")

    def __str__(self) -> str:
        return f"{self.mailbox.name}: {self.language}"
