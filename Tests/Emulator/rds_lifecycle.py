"""Time-dependent RDS behaviour that moto 5.2.1 lacks, patched into moto's own RDS models and responses.

moto reports a new cluster as `creating` exactly once and instances as `available` at once, marks role associations
`ACTIVE` at once, has no RemoveRoleFromDBCluster and lets CreateDBInstance join a cluster in any state. Real RDS
takes minutes for each, and the daemon's polling logic needs to see those states. Everything here keys on the
monotonic clock, so a status is a pure function of "how long ago was this created".
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from moto.core.responses import EmptyResult
from moto.core.utils import utcnow
from moto.rds.exceptions import (
    DBClusterNotFoundError,
    DBClusterRoleAlreadyExists,
    InvalidDBClusterStateFault,
    InvalidParameterValue,
    RDSClientError,
)
from moto.rds.models import AssociatedRole, DBCluster, DBInstance, RDSBackend
from moto.rds.responses import RDSResponse


@dataclass
class Timings:
    """How long each asynchronous RDS transition takes in the emulator, in seconds."""

    cluster_seconds: float = 3.0
    instance_seconds: float = 2.0
    association_seconds: float = 1.0


TIMINGS = Timings()


class DBClusterRoleNotFound(RDSClientError):
    """RemoveRoleFromDBCluster for a role that is not associated (botocore: DBClusterRoleNotFoundFault, HTTP 404)."""

    def __init__(self, role_arn: str, cluster_id: str) -> None:
        super().__init__("DBClusterRoleNotFound", f"Role ARN {role_arn} cannot be found for DB Cluster: {cluster_id}.")


class EmulatorEvent:
    """An RDS event with the attribute names moto's serializer reads for the `Event` shape."""

    def __init__(self, resource: DBCluster | DBInstance, source_type: str, message: str, categories: list[str]):
        self.source_identifier = resource.resource_id
        self.source_type = source_type
        self.message = message
        self.event_categories = categories
        self.source_arn = resource.arn
        self.date = utcnow()


_events_lock = threading.Lock()


def add_cluster_event(cluster: DBCluster, message: str, categories: list[str]) -> None:
    """Append a `db-cluster` event to the cluster's backend, as DescribeEvents returns it."""
    with _events_lock:
        cluster.backend.events.append(EmulatorEvent(cluster, "db-cluster", message, categories))


# --- Cluster status: `creating` until its ready time, then its final status (available or migration-failed). ---

def _cluster_status_get(self: DBCluster) -> str:
    if self._status == "creating":
        ready_at = getattr(self, "_emu_ready_at", None)
        if ready_at is None:
            # A cluster made by CreateDBCluster or a snapshot restore: start its clock at first observation.
            ready_at = self._emu_ready_at = time.monotonic() + TIMINGS.cluster_seconds
        if time.monotonic() >= ready_at:
            final = getattr(self, "_emu_final_status", "available")
            self._status = final
            failure = getattr(self, "_emu_failure_message", None)
            if failure:
                add_cluster_event(self, failure, ["failure", "migration"])
            elif getattr(self, "_emu_restored_from_s3", False):
                add_cluster_event(self, "Restored from Amazon S3 backup", ["creation", "migration"])
                binlog = getattr(self, "_emu_binlog", None)
                if binlog:
                    # The event the Aurora User Guide points at for replication from the source ("Synchronizing
                    # the Amazon Aurora MySQL DB cluster with the MySQL database using replication").
                    add_cluster_event(
                        self, f"Recovered from Binary log filename '{binlog[0]}', position '{binlog[1]}'.",
                        ["notification"])
    return self._status


def _cluster_status_set(self: DBCluster, value: str) -> None:
    self._status = value


# --- Instance status: `creating` for TIMINGS.instance_seconds after creation, unless moto set something else; ---
# --- `modifying` for as long while an instance class change applied immediately is carried out.            ---

def _instance_status_get(self: DBInstance) -> str:
    status = self.__dict__.get("_emu_status", "available")
    if status == "available" and time.monotonic() < self.__dict__.get("_emu_ready_at", 0.0):
        return "creating"
    modified_at = self.__dict__.get("_emu_modified_at")
    if status == "available" and modified_at is not None:
        if time.monotonic() < modified_at:
            return "modifying"
        self.db_instance_class = self.__dict__.pop("_emu_new_class")
        del self.__dict__["_emu_modified_at"]
    return status


def _instance_class_get(self: DBInstance) -> str:
    """The class, after letting a due class change land: Describe serializes the class before the status, so without
    this an instance could read `available` with its old class once, and be modified a second time."""
    _ = self.status
    return self.__dict__["_emu_class"]


def _instance_class_set(self: DBInstance, value: str) -> None:
    self.__dict__["_emu_class"] = value


def _instance_status_set(self: DBInstance, value: str) -> None:
    if "_emu_ready_at" not in self.__dict__:
        self.__dict__["_emu_ready_at"] = time.monotonic() + TIMINGS.instance_seconds
    self.__dict__["_emu_status"] = value


# --- Role association status: PENDING, then ACTIVE (botocore DBClusterRole.Status). ---

def _association_status_get(self: AssociatedRole) -> str:
    if time.monotonic() < self.__dict__.get("_emu_active_at", 0.0):
        return "PENDING"
    return self.__dict__.get("_emu_status", "ACTIVE")


def _association_status_set(self: AssociatedRole, value: str) -> None:
    if "_emu_active_at" not in self.__dict__:
        self.__dict__["_emu_active_at"] = time.monotonic() + TIMINGS.association_seconds
    self.__dict__["_emu_status"] = value


def _find_cluster(backend: RDSBackend, cluster_id: str | None) -> DBCluster:
    cluster = backend.clusters.get((cluster_id or "").lower()) or backend.clusters.get(cluster_id or "")
    if cluster is None:
        raise DBClusterNotFoundError(cluster_id or "")
    return cluster


def add_role_to_db_cluster(self: RDSBackend, db_cluster_identifier: str, role_arn: str, feature_name: str) -> None:
    """AddRoleToDBCluster as AWS does it: no feature names for Aurora MySQL, one association per role ARN."""
    cluster = _find_cluster(self, db_cluster_identifier)
    if feature_name and cluster.engine == "aurora-mysql":
        # AWS rejects every feature name for Aurora MySQL, s3Import included
        # (terraform-aws-rds-aurora issue #273; DescribeDBEngineVersions lists no SupportedFeatureNames).
        raise InvalidParameterValue(f"The feature name {feature_name} is not valid for the engine Aurora MySQL.")
    if cluster.status != "available":
        raise InvalidDBClusterStateFault(
            f"DB cluster {cluster.db_cluster_identifier} is in {cluster.status} state; roles can be added only "
            "while it is available."
        )
    for role in cluster._associated_roles:
        if role.role_arn == role_arn:
            raise DBClusterRoleAlreadyExists(
                f"Role ARN {role_arn} is already associated with DB Cluster: {cluster.db_cluster_identifier}."
            )
        if feature_name and role.feature_name == feature_name:
            raise DBClusterRoleAlreadyExists(
                f"Feature {feature_name} is already associated with DB Cluster: {cluster.db_cluster_identifier}."
            )
    cluster._associated_roles.append(AssociatedRole(role_arn=role_arn, feature_name=feature_name or None))


def remove_role_from_db_cluster(self: RDSBackend, db_cluster_identifier: str, role_arn: str) -> None:
    """RemoveRoleFromDBCluster, which moto lacks."""
    cluster = _find_cluster(self, db_cluster_identifier)
    if cluster.status != "available":
        raise InvalidDBClusterStateFault(
            f"DB cluster {cluster.db_cluster_identifier} is in {cluster.status} state; roles can be removed only "
            "while it is available."
        )
    remaining = [role for role in cluster._associated_roles if role.role_arn != role_arn]
    if len(remaining) == len(cluster._associated_roles):
        raise DBClusterRoleNotFound(role_arn, cluster.db_cluster_identifier)
    cluster._associated_roles = remaining


def _remove_role_from_db_cluster_response(self: RDSResponse) -> EmptyResult:
    self.backend.remove_role_from_db_cluster(
        db_cluster_identifier=self.params.get("DBClusterIdentifier"), role_arn=self.params.get("RoleArn")
    )
    return EmptyResult()


_original_create_db_instance = RDSBackend.create_db_instance


def create_db_instance(self: RDSBackend, db_kwargs: dict) -> DBInstance:
    """CreateDBInstance into a cluster only while the cluster is available, as RDS requires."""
    cluster_id = db_kwargs.get("db_cluster_identifier")
    if cluster_id is not None:
        cluster = _find_cluster(self, cluster_id)
        if cluster.status != "available":
            raise InvalidDBClusterStateFault(
                f"DB cluster {cluster.db_cluster_identifier} is in {cluster.status} state; instances can be "
                "created only while it is available."
            )
        db_kwargs["db_cluster_identifier"] = cluster.db_cluster_identifier
    return _original_create_db_instance(self, db_kwargs)


_original_modify_db_instance = RDSBackend.modify_db_instance


def modify_db_instance(self: RDSBackend, db_instance_identifier: str, db_kwargs) -> DBInstance:
    """ModifyDBInstance of the instance class as RDS does it (moto applies every change at once).

    A class change restarts the instance, so RDS applies it in the next maintenance window and shows it meanwhile in
    `PendingModifiedValues.DBInstanceClass`, unless `ApplyImmediately` is true (its default is false): then the
    instance is `modifying` for a while and comes back `available` with the new class (ModifyDBInstance API
    reference, `ApplyImmediately`; RDS User Guide, "Modifying an Amazon RDS DB instance"). A call on an instance that
    is not `available` fails with InvalidDBInstanceState. The maintenance window never comes in the emulator.
    """
    database = self.describe_db_instances(db_instance_identifier)[0]
    new_class = db_kwargs.pop("DBInstanceClass", None)
    immediately = str(db_kwargs.get("ApplyImmediately", "false")).lower() == "true"
    if new_class is not None and database.status != "available":
        raise RDSClientError(
            "InvalidDBInstanceState",
            f"Database instance is not in available state: {database.db_instance_identifier} is {database.status}.",
        )
    database = _original_modify_db_instance(self, db_instance_identifier, db_kwargs)
    if new_class is not None and new_class != database.db_instance_class:
        if immediately:
            database.pending_modified_values = None
            database.__dict__["_emu_new_class"] = new_class
            database.__dict__["_emu_modified_at"] = time.monotonic() + TIMINGS.instance_seconds
        else:
            database.pending_modified_values = {"DBInstanceClass": new_class}
    elif new_class is not None:
        database.pending_modified_values = None
    return database


_original_describe_events = RDSBackend.describe_events


def describe_events(self: RDSBackend, *args, **kwargs):
    """DescribeEvents after letting every cluster reach its current status, so due events exist."""
    for cluster in list(self.clusters.values()):
        _ = cluster.status
    return _original_describe_events(self, *args, **kwargs)


_original_delete_db_cluster = RDSBackend.delete_db_cluster


def delete_db_cluster(self: RDSBackend, cluster_identifier: str, snapshot_name: str | None = None) -> DBCluster:
    """DeleteDBCluster that also removes the cluster's automated snapshots, as RDS does by default
    (`DeleteAutomatedBackups` defaults to true). moto keeps them, so a cluster restored again under the same
    identifier within the same minute failed with DBClusterSnapshotAlreadyExistsFault on `rds:<id>-<minute>`."""
    cluster = _original_delete_db_cluster(self, cluster_identifier, snapshot_name)
    for snapshot_id, snapshot in list(self.cluster_snapshots.items()):
        if snapshot.snapshot_type == "automated" and snapshot.db_cluster_identifier == cluster.db_cluster_identifier:
            del self.cluster_snapshots[snapshot_id]
    return cluster


def install() -> None:
    """Patch moto's RDS models and responses. Call once, before serving."""
    DBCluster.status = property(_cluster_status_get, _cluster_status_set)
    DBInstance.status = property(_instance_status_get, _instance_status_set)
    DBInstance.db_instance_class = property(_instance_class_get, _instance_class_set)
    AssociatedRole.status = property(_association_status_get, _association_status_set)
    RDSBackend.add_role_to_db_cluster = add_role_to_db_cluster
    RDSBackend.remove_role_from_db_cluster = remove_role_from_db_cluster
    RDSBackend.create_db_instance = create_db_instance
    RDSBackend.modify_db_instance = modify_db_instance
    DBInstance.pending_modified_values = None
    RDSBackend.delete_db_cluster = delete_db_cluster
    RDSBackend.describe_events = describe_events
    RDSResponse.remove_role_from_db_cluster = _remove_role_from_db_cluster_response
