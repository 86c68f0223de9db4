"""moto 5.2.1's per-call costs that grow with the world, cut without changing any answer.

The emulator serves one request at a time (moto's backends are not thread-safe), so a slow call delays every other.
Describe calls over a fleet were the slow ones: a DescribeDBClusters of 100 clusters cost ~130 ms of CPU and a
DescribeDBInstances of their 200 instances ~190 ms, while the daemon issued several a second next to its restores.

Serialization: moto renders every response by walking botocore's output shape and, for each member of each object,
asking six alias providers which attribute names may hold the member's value (`DBInstanceIdentifier`,
`db_instance_identifier`, `identifier`, ...); then xmltodict checks every element name of the XML it writes. Both
depend only on names (the object's class, the member's shape and key; the element name), yet were redone for every
value: about 40% of the time of a DescribeDBInstances of 200 instances, which holds the emulator's lock for all of it.
Here each is done once per name and remembered; the values are still read from the objects on every call and every
name is still checked before its first use, so responses (and refusals of bad names) are the same as before, byte for
byte.

Cluster members: moto finds a cluster's instances by scanning every instance of the region through a
case-insensitive dict's slow value view, four times per cluster it describes (members, writer, Multi-AZ); the scan
here reads the same dict in the same order through its fast item view.
"""

from __future__ import annotations

from collections.abc import Iterable

import xmltodict
from moto.core.serialize import AttributePickerContext, XFormedAttributePicker
from moto.rds.models import DBCluster, DBInstanceClustered

_possible_keys: dict[tuple[type, object, str], tuple[str, ...]] = {}
_valid_names: set[tuple[str, str]] = set()
# Both are keyed by names from botocore's models (a few thousand at most); the bound keeps anything unforeseen from
# growing them without end (past it, names are derived and checked as moto does, every time).
MAX_ENTRIES = 20_000


def install() -> None:
    """Cache XFormedAttributePicker's possible keys per (class of the object, member shape, member key), and
    xmltodict's name check per valid name."""
    _install_possible_keys()
    _install_name_check()
    DBCluster._members = property(_cluster_members)


def _install_possible_keys() -> None:
    original = XFormedAttributePicker.get_possible_keys

    def get_possible_keys(self: XFormedAttributePicker, context: AttributePickerContext) -> Iterable[str]:
        obj = context.obj
        if "Meta" in getattr(obj, "__dict__", ()) or hasattr(type(obj), "__getattr__"):
            # ExplicitAlias reads `obj.Meta`: only a class attribute is the same for every object of the class.
            return original(self, context)
        # Shapes are botocore's, cached with moto's service models for the life of the process (identity hash);
        # a member shape's `parent`, which two providers read, is always the structure that lists it.
        cache_key = (type(obj), context.shape, context.key)
        keys = _possible_keys.get(cache_key)
        if keys is None:
            keys = tuple(original(self, context))
            if len(_possible_keys) < MAX_ENTRIES:
                _possible_keys[cache_key] = keys
        return keys

    XFormedAttributePicker.get_possible_keys = get_possible_keys


def _install_name_check() -> None:
    original = xmltodict._validate_name

    def validate_name(value: object, kind: str) -> None:
        if type(value) is str and (value, kind) in _valid_names:
            return
        original(value, kind)  # raises ValueError for a name that is not valid XML
        if type(value) is str and len(_valid_names) < MAX_ENTRIES:
            _valid_names.add((value, kind))

    xmltodict._validate_name = validate_name


def _cluster_members(self: DBCluster) -> list[DBInstanceClustered]:
    """moto's DBCluster._members: the region's clustered instances that name this cluster, in creation order."""
    cluster_id = self.resource_id
    return [
        instance
        for _, instance in self.backend.databases.lower_items()
        if isinstance(instance, DBInstanceClustered) and instance.db_cluster_identifier == cluster_id
    ]
