"""Every model, imported in one place so Alembic and the app see the whole schema."""

from finsam_ansokan.accounts.models import (
    Forbund,
    OidcIdentity,
    OidcProvider,
    Organisation,
    RecoveryCode,
    User,
    UserRole,
    UserSession,
)
from finsam_ansokan.applications.models import (
    Application,
    ApplicationParty,
    ApplicationVersion,
    Attachment,
    BudgetLine,
    DiarieCounter,
)
from finsam_ansokan.budget.models import (
    BudgetYear,
    Contribution,
    FigureVersion,
    FrameGrant,
    Huvudomrade,
    Omfordelning,
    Ram,
)
from finsam_ansokan.core.events import Event
from finsam_ansokan.core.jobs import Job
from finsam_ansokan.followup.models import PaymentRequest, Report, ReportCost
from finsam_ansokan.meetings.models import (
    AgendaItem,
    Attendance,
    Decision,
    DecisionAmount,
    DelegationAmount,
    DelegationDecision,
    DelegationLimit,
    DelegationOrder,
    Jav,
    Meeting,
)
from finsam_ansokan.notifications.models import NotificationOptOut, OutboxMessage
from finsam_ansokan.review.models import Assessment, AssessmentAmount, Comment

__all__ = [
    "AgendaItem",
    "Attendance",
    "Decision",
    "DecisionAmount",
    "DelegationAmount",
    "DelegationDecision",
    "DelegationLimit",
    "DelegationOrder",
    "Jav",
    "Meeting",
    "Application",
    "Assessment",
    "AssessmentAmount",
    "Comment",
    "NotificationOptOut",
    "OutboxMessage",
    "PaymentRequest",
    "Report",
    "ReportCost",
    "ApplicationParty",
    "ApplicationVersion",
    "Attachment",
    "BudgetLine",
    "BudgetYear",
    "Contribution",
    "DiarieCounter",
    "Event",
    "Forbund",
    "FigureVersion",
    "FrameGrant",
    "Huvudomrade",
    "Job",
    "Omfordelning",
    "Organisation",
    "Ram",
    "User",
    "UserRole",
    "UserSession",
    "RecoveryCode",
    "OidcProvider",
    "OidcIdentity",
]
