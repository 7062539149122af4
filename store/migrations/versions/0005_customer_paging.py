"""An index for listing live customers in id order (counts and deep pages walk it, not the table).

Revision ID: 0005_customer_paging
Revises: 0004_api_outbox
"""
from alembic import op

revision = '0005_customer_paging'
down_revision = '0004_api_outbox'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_customers_live_id', 'customers', ['deleted_at', 'id'])


def downgrade() -> None:
    op.drop_index('ix_customers_live_id', table_name='customers')
