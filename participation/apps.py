from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = _("Partecipazione e comunicazione")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from participation import contributions
        from participation.models import Proposal, ProposalAttachment
        from participation.selectors import forget_proposal_parts

        contributions.register()

        # The cached parts of a proposal's page (selectors.proposal_parts) follow their rows.
        for name, sender, signal in (
            ("save", Proposal, post_save),
            ("delete", Proposal, post_delete),
            ("attachment-save", ProposalAttachment, post_save),
            ("attachment-delete", ProposalAttachment, post_delete),
            ("target-groups", Proposal.target_groups.through, m2m_changed),
            ("comuni", Proposal.comuni.through, m2m_changed),
        ):
            signal.connect(
                forget_proposal_parts,
                sender=sender,
                dispatch_uid=f"participation-proposal-parts-{name}",
            )
