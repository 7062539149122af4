"""When a device's syslog last reached the receiver (the MikroTik collector then leaves ``/log`` alone).

Revision ID: 0006_mikrotik
Revises: 0005_customer_paging
"""
from alembic import op
import sqlalchemy as sa
import store.types

revision = '0006_mikrotik'
down_revision = '0005_customer_paging'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('devices',
                  sa.Column('syslog_seen_at', store.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('devices') as batch:
        batch.drop_column('syslog_seen_at')
