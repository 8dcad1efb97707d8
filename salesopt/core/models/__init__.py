"""The shared models layer: every phase app imports its models from here."""

from .assignment import (
    AssignmentMethod,
    AssignmentPolicy,
    AssignmentReason,
    AssignmentRule,
    LeadAssignment,
    RepLeave,
    TeamTurn,
)
from .base import ImportedRecord, TimeStampedModel
from .calendar import BusinessCalendar, CalendarException
from .crm import (
    OPEN_LEAD_STATUSES,
    Activity,
    ActivityKind,
    CompanySize,
    Complaint,
    ComplaintKind,
    Customer,
    Lead,
    LeadGrade,
    LeadStatus,
    Opportunity,
    OpportunityStage,
    Order,
    SalesTarget,
    TargetGrain,
    Urgency,
)
from .followup import FollowUpCadence, FollowUpItem, FollowUpStandard
from .grading import GradingRule, GradingStatus, GradingVersion, Regrade, RegradeStatus
from .notification import Notification, NotificationKind
from .org import ProductLine, Profile, Region, Role, Team, TeamKind
from .program import Program, ProgramStatus

__all__ = [
    "OPEN_LEAD_STATUSES",
    "Activity",
    "ActivityKind",
    "AssignmentMethod",
    "AssignmentPolicy",
    "AssignmentReason",
    "AssignmentRule",
    "BusinessCalendar",
    "CalendarException",
    "CompanySize",
    "Complaint",
    "ComplaintKind",
    "Customer",
    "FollowUpCadence",
    "FollowUpItem",
    "FollowUpStandard",
    "GradingRule",
    "GradingStatus",
    "GradingVersion",
    "ImportedRecord",
    "Lead",
    "LeadAssignment",
    "LeadGrade",
    "LeadStatus",
    "Notification",
    "NotificationKind",
    "Opportunity",
    "OpportunityStage",
    "Order",
    "ProductLine",
    "Profile",
    "Program",
    "ProgramStatus",
    "Region",
    "Regrade",
    "RegradeStatus",
    "RepLeave",
    "Role",
    "SalesTarget",
    "TargetGrain",
    "Team",
    "TeamKind",
    "TeamTurn",
    "TimeStampedModel",
    "Urgency",
]
