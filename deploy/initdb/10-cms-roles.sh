#!/bin/bash
# Runs once, when the postgres image initializes an empty data folder, as its superuser: the
# schema's owner and the app's role, and the database the owner owns. The app's privileges come
# from `migrate` (DatabaseRoles), after each migration.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$CMS_OWNER_PASSWORD" -v app_password="$CMS_APP_PASSWORD" <<'SQL'
CREATE ROLE cms_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE cms_app LOGIN PASSWORD :'app_password';
CREATE DATABASE cms OWNER cms_owner;
SQL
