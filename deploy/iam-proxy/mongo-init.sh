#!/usr/bin/env bash
# First start of iam-proxy-mongo (docker-entrypoint-initdb.d): the user of the OpenID Connect
# frontend (satosa-oidcop) and the registration of the portal as its client. Everything comes
# from .env: MONGO_INITDB_* (the root account), MONGODB_OIDCOP_USERNAME/PASSWORD (the frontend's
# user), SPID_OIDC_CLIENT_ID/SECRET (the portal's client: the CIE button uses the same client,
# with CIE_OIDC_AUTH_PARAMS), SITE_URL (the portal's callbacks and post-logout address).
# The claims the portal may receive: sub, names, e-mail and the fiscal code (fiscal_number).
set -euo pipefail
: "${SPID_OIDC_CLIENT_ID:?}" "${SPID_OIDC_CLIENT_SECRET:?}" "${SITE_URL:?}"
: "${MONGODB_OIDCOP_USERNAME:?}" "${MONGODB_OIDCOP_PASSWORD:?}"

mongosh --quiet oidcop <<JS
db.getSiblingDB("admin").auth("${MONGO_INITDB_ROOT_USERNAME}", "${MONGO_INITDB_ROOT_PASSWORD}");
db.createUser({
  user: "${MONGODB_OIDCOP_USERNAME}",
  pwd: "${MONGODB_OIDCOP_PASSWORD}",
  roles: [{role: "readWrite", db: "oidcop"}],
});
db.client.createIndex({client_id: 1}, {unique: true});
db.client.insertOne({
  client_id: "${SPID_OIDC_CLIENT_ID}",
  client_secret: "${SPID_OIDC_CLIENT_SECRET}",
  client_name: "Amministrazione Condivisa",
  application_type: "web",
  token_endpoint_auth_method: "client_secret_post",
  response_types: ["code"],
  grant_types: ["authorization_code"],
  redirect_uris: [
    ["${SITE_URL}/account/oidc/spid/login/callback/", {}],
    ["${SITE_URL}/account/oidc/cie/login/callback/", {}],
  ],
  post_logout_redirect_uris: [["${SITE_URL}/", null]],
  allowed_scopes: ["openid", "profile", "email"],
  scopes_to_claims: {
    openid: ["sub"],
    profile: ["given_name", "family_name", "fiscal_number"],
    email: ["email"],
  },
  client_id_issued_at: Math.floor(Date.now() / 1000),
  client_secret_expires_at: 0,
});
JS
