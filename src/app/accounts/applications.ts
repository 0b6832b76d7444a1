/** Applications and their client secrets (SPEC 3): created and rotated from the CLI. */
import { DomainError } from '../../domain/errors.ts';
import type { ApplicationRecord, ClientSecretRecord } from '../../ports/store.ts';
import type { AppContext } from '../context.ts';

export type NewCredentials = {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly secretId: string;
};

function newSecret(ctx: AppContext, applicationId: string): { record: ClientSecretRecord; plain: string } {
  const plain = `CRN_${ctx.ids.newToken(30)}`;
  return {
    plain,
    record: {
      id: ctx.ids.newId('sec'),
      applicationId,
      secretHash: ctx.secrets.hash(plain),
      secretSealed: ctx.secrets.seal(plain),
      createdAt: ctx.clock.now(),
      revokedAt: null,
    },
  };
}

export async function createApplication(
  ctx: AppContext,
  name: string,
): Promise<NewCredentials & { applicationId: string }> {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 200) {
    throw new DomainError('invalid_request', 'name must be 1 to 200 characters', {
      problems: [
        { path: 'name', code: 'errors.invalid_value', description: 'name must be 1 to 200 characters' },
      ],
    });
  }
  const application: ApplicationRecord = {
    id: ctx.ids.newId('app'),
    clientId: ctx.ids.newToken(24),
    name: trimmed,
    createdAt: ctx.clock.now(),
    displayName: null,
    logoUrl: null,
    accentColour: null,
  };
  const secret = newSecret(ctx, application.id);
  await ctx.store.transaction(async (repos) => {
    await repos.applications.insert(application);
    await repos.applications.insertSecret(secret.record);
  });
  return {
    applicationId: application.id,
    clientId: application.clientId,
    clientSecret: secret.plain,
    secretId: secret.record.id,
  };
}

async function requireApplication(ctx: AppContext, clientId: string): Promise<ApplicationRecord> {
  const application = await ctx.store.read((repos) => repos.applications.byClientId(clientId));
  if (application === undefined)
    throw new DomainError('not_found', `No application with client_id ${clientId}`);
  return application;
}

/** Adds a new active secret; the old ones stay active until revoked. */
export async function rotateSecret(ctx: AppContext, clientId: string): Promise<NewCredentials> {
  const application = await requireApplication(ctx, clientId);
  const secret = newSecret(ctx, application.id);
  await ctx.store.transaction((repos) => repos.applications.insertSecret(secret.record));
  return { clientId, clientSecret: secret.plain, secretId: secret.record.id };
}

export type ApplicationSummary = ApplicationRecord & { readonly activeSecrets: number };

/** Every application of this database, oldest first, with how many secrets are active (never the secrets). */
export async function listApplications(ctx: AppContext): Promise<ApplicationSummary[]> {
  return ctx.store.read(async (repos) => {
    const applications = await repos.applications.list();
    const out: ApplicationSummary[] = [];
    for (const a of applications)
      out.push({ ...a, activeSecrets: (await repos.applications.activeSecrets(a.id)).length });
    return out.sort((x, y) => x.createdAt - y.createdAt);
  });
}

export type SecretSummary = { readonly secretId: string; readonly createdAt: number; readonly hint: string };

export async function listSecrets(ctx: AppContext, clientId: string): Promise<SecretSummary[]> {
  const application = await requireApplication(ctx, clientId);
  const secrets = await ctx.store.read((repos) => repos.applications.activeSecrets(application.id));
  return secrets.map((s) => ({
    secretId: s.id,
    createdAt: s.createdAt,
    hint: `…${ctx.secrets.unseal(s.secretSealed).slice(-4)}`,
  }));
}

/** Revokes one secret; refuses to revoke the last active one (the application would be locked out). */
export async function revokeSecret(ctx: AppContext, clientId: string, secretId: string): Promise<void> {
  const application = await requireApplication(ctx, clientId);
  await ctx.store.transaction(async (repos) => {
    const active = await repos.applications.activeSecrets(application.id);
    if (!active.some((s) => s.id === secretId))
      throw new DomainError('not_found', `No active secret ${secretId}`);
    if (active.length === 1) {
      throw new DomainError('conflict', 'Refusing to revoke the only active secret: rotate first');
    }
    await repos.applications.revokeSecret(application.id, secretId, ctx.clock.now());
  });
}

/** The plain active secrets, oldest first: callbacks are signed with every one (SPEC 6.4). */
export async function signingSecrets(ctx: AppContext, applicationId: string): Promise<string[]> {
  const secrets = await ctx.store.read((repos) => repos.applications.activeSecrets(applicationId));
  return secrets.map((s) => ctx.secrets.unseal(s.secretSealed));
}
