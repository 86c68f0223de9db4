"""The module's common inputs as RDS keeps them, where moto forgets or refuses them.

- Aurora storage types `aurora` (Standard) and `aurora-iopt1` (I/O-Optimized) are accepted (moto only knows EBS
  types): RDS API reference, RestoreDBClusterFromS3 `StorageType`, "Valid values: aurora, aurora-iopt1".
- RestoreDBClusterFromS3 keeps `PreferredBackupWindow`, `PreferredMaintenanceWindow` and `EngineLifecycleSupport`
  (moto's create falls back to its own windows and has no lifecycle support); without `EngineLifecycleSupport` RDS
  answers `open-source-rds-extended-support` (Aurora User Guide, "Amazon RDS Extended Support").
- ModifyDBCluster's `EnableIAMDatabaseAuthentication` shows in `IAMDatabaseAuthenticationEnabled` (moto stores it
  where Describe does not read it).
- CreateDBInstance and ModifyDBInstance keep Enhanced Monitoring and Performance Insights (moto drops them at the
  create); Performance Insights keeps 7 days unless told otherwise (API reference, CreateDBInstance
  `PerformanceInsightsRetentionPeriod`, "Default: 7 days").
- A CA certificate change restarts the instance, so without `ApplyImmediately` RDS holds it for the maintenance
  window in `PendingModifiedValues.CACertificateIdentifier` (API reference, ModifyDBInstance `CACertificateIdentifier`
  and `ApplyImmediately`; RDS User Guide, "Rotating your SSL/TLS certificate"). The window never comes here.
"""

from __future__ import annotations

from typing import Any

from moto.rds.models import DBCluster, DBInstance, RDSBackend

AURORA_STORAGE_TYPES = ("aurora", "aurora-iopt1")
DEFAULT_LIFECYCLE_SUPPORT = "open-source-rds-extended-support"

_original_default_allocated_storage = DBCluster.default_allocated_storage
_original_modify_db_cluster = RDSBackend.modify_db_cluster
_INSTANCE_SETTINGS = {
    "MonitoringInterval": "monitoring_interval",
    "MonitoringRoleArn": "monitoring_role_arn",
    "EnablePerformanceInsights": "performance_insights_enabled",
    "PerformanceInsightsRetentionPeriod": "performance_insights_retention_period",
    "PerformanceInsightsKMSKeyId": "performance_insights_kms_key_id",
}


def _default_allocated_storage(engine: str, storage_type: str) -> int:
    """Aurora storage grows by itself: its nominal allocated storage is 1, as moto says for the EBS types."""
    if storage_type in AURORA_STORAGE_TYPES:
        return 1
    return _original_default_allocated_storage(engine, storage_type)


def apply_restore_settings(cluster: DBCluster, params: dict[str, Any]) -> None:
    """Keeps the restore's settings that moto's create_db_cluster drops."""
    if params.get("PreferredBackupWindow"):
        cluster.preferred_backup_window = params["PreferredBackupWindow"]
    if params.get("PreferredMaintenanceWindow"):
        cluster.preferred_maintenance_window = params["PreferredMaintenanceWindow"]
    cluster.engine_lifecycle_support = params.get("EngineLifecycleSupport") or DEFAULT_LIFECYCLE_SUPPORT


def _modify_db_cluster(self: RDSBackend, kwargs: dict[str, Any]) -> DBCluster:
    iam_auth = kwargs.get("enable_iam_database_authentication")
    result = _original_modify_db_cluster(self, kwargs)
    if iam_auth is not None:
        cluster = self.clusters[result.db_cluster_identifier]
        cluster.iam_auth = bool(iam_auth)
        result.iam_auth = bool(iam_auth)
    return result


def given(kwargs: dict[str, Any], member: str, attribute: str) -> Any:
    """A member of moto's kwargs, which name it in the API's CamelCase or in snake_case depending on the call."""
    return kwargs[member] if member in kwargs else kwargs.get(attribute)


def _keep_instance_settings(database: DBInstance, kwargs: dict[str, Any]) -> None:
    """Stores the Enhanced Monitoring and Performance Insights members of a create or modify on the instance."""
    for member, attribute in _INSTANCE_SETTINGS.items():
        value = given(kwargs, member, attribute)
        if value is not None:
            setattr(database, attribute, value)
    enabled = given(kwargs, "EnablePerformanceInsights", "enable_performance_insights")
    if enabled is not None:
        database.performance_insights_enabled = str(enabled).lower() == "true"
    if database.__dict__.get("performance_insights_enabled") and not database.__dict__.get(
        "performance_insights_retention_period"
    ):
        database.performance_insights_retention_period = 7
    if database.__dict__.get("monitoring_interval") is not None:
        database.monitoring_interval = int(database.monitoring_interval)


def install() -> None:
    """Patch moto's RDS models. Call once, after `rds_lifecycle.install()`, before serving."""
    DBCluster.default_allocated_storage = staticmethod(_default_allocated_storage)
    RDSBackend.modify_db_cluster = _modify_db_cluster
    create_db_instance = RDSBackend.create_db_instance
    modify_db_instance = RDSBackend.modify_db_instance

    def create(self: RDSBackend, db_kwargs: dict) -> DBInstance:
        database = create_db_instance(self, db_kwargs)
        _keep_instance_settings(database, db_kwargs)
        return database

    def modify(self: RDSBackend, db_instance_identifier: str, db_kwargs) -> DBInstance:
        before = self.describe_db_instances(db_instance_identifier)[0].ca_certificate_identifier
        immediately = str(given(db_kwargs, "ApplyImmediately", "apply_immediately")).lower() == "true"
        database = modify_db_instance(self, db_instance_identifier, db_kwargs)
        _keep_instance_settings(database, db_kwargs)
        wanted = given(db_kwargs, "CACertificateIdentifier", "ca_certificate_identifier")
        if wanted is not None and wanted != before and not immediately:
            database.ca_certificate_identifier = before
            database.pending_modified_values = {**(database.pending_modified_values or {}),
                                                "CACertificateIdentifier": wanted}
        return database

    RDSBackend.create_db_instance = create
    RDSBackend.modify_db_instance = modify
