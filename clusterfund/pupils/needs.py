"""The SEND Code of Practice's four broad areas of need, and the DfE SEN type codes within them."""

from django.db import models


class AreaOfNeed(models.TextChoices):
    COMMUNICATION_AND_INTERACTION = "communication_interaction", "Communication and interaction"
    COGNITION_AND_LEARNING = "cognition_learning", "Cognition and learning"
    SOCIAL_EMOTIONAL_MENTAL_HEALTH = "semh", "Social, emotional and mental health"
    SENSORY_AND_PHYSICAL = "sensory_physical", "Sensory and/or physical"


class SenType(models.TextChoices):
    """The DfE school census's primary type of need codes."""

    SPLD = "SPLD", "Specific learning difficulty (SPLD)"
    MLD = "MLD", "Moderate learning difficulty (MLD)"
    SLD = "SLD", "Severe learning difficulty (SLD)"
    PMLD = "PMLD", "Profound and multiple learning difficulty (PMLD)"
    SEMH = "SEMH", "Social, emotional and mental health (SEMH)"
    SLCN = "SLCN", "Speech, language and communication needs (SLCN)"
    HI = "HI", "Hearing impairment (HI)"
    VI = "VI", "Visual impairment (VI)"
    MSI = "MSI", "Multi-sensory impairment (MSI)"
    PD = "PD", "Physical disability (PD)"
    ASD = "ASD", "Autistic spectrum disorder (ASD)"
    OTH = "OTH", "Other difficulty or disability (OTH)"
    NSA = "NSA", "SEN support but no specialist assessment of type of need (NSA)"


AREA_OF_SEN_TYPE: dict[str, str | None] = {
    SenType.SPLD: AreaOfNeed.COGNITION_AND_LEARNING,
    SenType.MLD: AreaOfNeed.COGNITION_AND_LEARNING,
    SenType.SLD: AreaOfNeed.COGNITION_AND_LEARNING,
    SenType.PMLD: AreaOfNeed.COGNITION_AND_LEARNING,
    SenType.SEMH: AreaOfNeed.SOCIAL_EMOTIONAL_MENTAL_HEALTH,
    SenType.SLCN: AreaOfNeed.COMMUNICATION_AND_INTERACTION,
    SenType.ASD: AreaOfNeed.COMMUNICATION_AND_INTERACTION,
    SenType.HI: AreaOfNeed.SENSORY_AND_PHYSICAL,
    SenType.VI: AreaOfNeed.SENSORY_AND_PHYSICAL,
    SenType.MSI: AreaOfNeed.SENSORY_AND_PHYSICAL,
    SenType.PD: AreaOfNeed.SENSORY_AND_PHYSICAL,
    # Other difficulty, or no specialist assessment yet: any area may fit.
    SenType.OTH: None,
    SenType.NSA: None,
}


def sen_type_fits_area(sen_type: str, area: str) -> bool:
    """Whether a census type of need belongs to a broad area (OTH and NSA fit any)."""
    expected = AREA_OF_SEN_TYPE[SenType(sen_type)]
    return expected is None or expected == area
