"""Reference codes such as `K14-2526-031`: council initial, cluster number, academic year, a number.

They say which cluster and year a request belongs to, and nothing about the school that made it.
"""

from clusterfund.funding_requests.models import ReferenceCounter


def cluster_code(cluster) -> str:
    """'K14' for Kirklees Cluster 14, 'SCP' for Stoke-on-Trent's city pool."""
    initial = cluster.council.name[:1].upper()
    if cluster.is_city_pool:
        return f"{initial}CP"
    return f"{initial}{cluster.number:02d}" if cluster.number is not None else f"{initial}{cluster.pk:02d}"


def next_reference(*, cluster, academic_year) -> str:
    """The next free reference in the cluster's year. Call inside the transaction that saves the request:
    the counter row is locked, so two schools saving at once never get the same code."""
    counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(
        cluster=cluster, academic_year=academic_year
    )
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{cluster_code(cluster)}-{academic_year.code}-{counter.last_number:03d}"
