"""Secrets an installation generates for itself (the token signing key when none is configured).

Revision ID: 0007_app_secrets
Revises: 0006_mikrotik
"""
from alembic import op
import sqlalchemy as sa
import store.types

revision = '0007_app_secrets'
down_revision = '0006_mikrotik'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('app_secrets',
                    sa.Column('name', sa.String(length=64), nullable=False),
                    sa.Column('value', sa.Text(), nullable=False),
                    sa.Column('created_at', store.types.UTCDateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('name', name=op.f('pk_app_secrets')))


def downgrade() -> None:
    op.drop_table('app_secrets')
