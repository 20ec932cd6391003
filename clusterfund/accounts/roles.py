"""The roles people hold, in the council's words, and the scope each is held over."""

from django.db import models


class Role(models.TextChoices):
    COUNCIL_ADMIN = "council_admin", "Council admin"
    CLUSTER_ADMIN = "cluster_admin", "Cluster admin"
    CHAIR = "chair", "Chair"
    SCHOOL_STAFF = "school_staff", "SENCO or head"
    TEAM_AROUND_THE_CLUSTER = "tac", "Team Around the Cluster"
    AUDITOR = "auditor", "Auditor"


COUNCIL_ROLES = {Role.COUNCIL_ADMIN, Role.AUDITOR}
CLUSTER_ROLES = {Role.CLUSTER_ADMIN, Role.CHAIR, Role.TEAM_AROUND_THE_CLUSTER}
SCHOOL_ROLES = {Role.SCHOOL_STAFF}
