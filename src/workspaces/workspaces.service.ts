import type { EmailOutboxRepository } from '../accounts/email-outbox.repository.js';
import type { ClientInfo } from '../accounts/accounts.service.js';
import { randomToken, sha256 } from '../accounts/secrets.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import type { WorkspaceRole } from '../db/schema/index.js';
import { DomainError, domainErrors } from '../domain/errors.js';
import type { InvitationRecord, MemberRecord, WorkspacesRepository, WorkspaceWithRole } from './workspaces.repository.js';

export const INVITATION_TTL_MS = 7 * 24 * 3600_000;

/** The acting user and where they act; built from request.auth by the routes. */
export interface Actor extends ClientInfo {
  userId: string;
  workspaceId: string;
  role: WorkspaceRole;
}

const lastOwner = () =>
  new DomainError('conflict', 'A workspace needs at least one owner; make someone else owner first', { code: 'last-owner' });

const personalWorkspace = (detail: string) => new DomainError('conflict', detail, { code: 'personal-workspace' });

export class WorkspacesService {
  constructor(
    private readonly deps: {
      workspaces: WorkspacesRepository;
      outbox: EmailOutboxRepository;
      audit: AuditRepository;
      publicUrl: string;
    },
  ) {}

  list(userId: string): Promise<WorkspaceWithRole[]> {
    return this.deps.workspaces.listForUser(userId);
  }

  create(userId: string, name: string): Promise<WorkspaceWithRole> {
    return this.deps.workspaces.create(name, userId);
  }

  /** Another workspace answers 404 exactly like a missing one. */
  async get(userId: string, workspaceId: string): Promise<WorkspaceWithRole> {
    const workspace = await this.deps.workspaces.forMember(workspaceId, userId);
    if (!workspace) throw domainErrors.notFound('Workspace');
    return workspace;
  }

  async rename(actor: Actor, name: string): Promise<WorkspaceWithRole> {
    await this.deps.workspaces.rename(actor.workspaceId, name);
    return this.get(actor.userId, actor.workspaceId);
  }

  async delete(actor: Actor): Promise<void> {
    const workspace = await this.get(actor.userId, actor.workspaceId);
    if (workspace.personalOwnerId) throw personalWorkspace('A personal workspace is deleted together with its account');
    await this.deps.workspaces.delete(actor.workspaceId);
    await this.audit(actor, 'workspace.deleted', `workspace:${actor.workspaceId}`);
  }

  members(workspaceId: string): Promise<MemberRecord[]> {
    return this.deps.workspaces.members(workspaceId);
  }

  async changeRole(actor: Actor, userId: string, role: WorkspaceRole): Promise<void> {
    const current = await this.deps.workspaces.roleOf(actor.workspaceId, userId);
    if (!current) throw domainErrors.notFound('Member');
    this.assertMayAssign(actor, current);
    this.assertMayAssign(actor, role);
    if (role !== 'owner') await this.assertNotPersonalOwner(actor, userId);
    if (current === 'owner' && role !== 'owner' && (await this.deps.workspaces.countOwners(actor.workspaceId)) <= 1) {
      throw lastOwner();
    }
    await this.deps.workspaces.setRole(actor.workspaceId, userId, role);
    await this.audit(actor, 'member.role-changed', `user:${userId}`, { from: current, to: role });
  }

  async removeMember(actor: Actor, userId: string): Promise<void> {
    const current = await this.deps.workspaces.roleOf(actor.workspaceId, userId);
    if (!current) throw domainErrors.notFound('Member');
    this.assertMayAssign(actor, current);
    await this.assertNotPersonalOwner(actor, userId);
    if (current === 'owner' && (await this.deps.workspaces.countOwners(actor.workspaceId)) <= 1) throw lastOwner();
    await this.deps.workspaces.removeMember(actor.workspaceId, userId);
    await this.audit(actor, 'member.removed', `user:${userId}`);
  }

  /**
   * Creates the invitation and queues its email (SMTP delivery of the outbox belongs to the
   * notifications module). The link is also returned to the inviter, once, so it can be passed on
   * before email is set up; only the invited address can use it. Only its hash is stored.
   */
  async invite(actor: Actor, email: string, role: WorkspaceRole): Promise<{ invitation: InvitationRecord; link: string }> {
    this.assertMayAssign(actor, role);
    const token = randomToken();
    const invitation = await this.deps.workspaces.createInvitation({
      workspaceId: actor.workspaceId,
      email,
      role,
      tokenHash: sha256(token),
      invitedBy: actor.userId,
      expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
    });
    const workspace = await this.get(actor.userId, actor.workspaceId);
    const link = new URL(`/invitations/accept?token=${encodeURIComponent(token)}`, this.deps.publicUrl).toString();
    await this.deps.outbox.enqueue({
      to: email,
      subject: `You are invited to ${workspace.name} on Siteprint`,
      body: `You have been invited to join the workspace "${workspace.name}" as ${role}.\n\nAccept the invitation within 7 days:\n${link}\n`,
      metadata: { kind: 'invitation', invitationId: invitation.id },
    });
    await this.audit(actor, 'member.invited', `invitation:${invitation.id}`, { email, role });
    return { invitation, link };
  }

  pendingInvitations(workspaceId: string): Promise<InvitationRecord[]> {
    return this.deps.workspaces.pendingInvitations(workspaceId);
  }

  async cancelInvitation(actor: Actor, invitationId: string): Promise<void> {
    if (!(await this.deps.workspaces.deleteInvitation(actor.workspaceId, invitationId))) throw domainErrors.notFound('Invitation');
  }

  async acceptInvitation(userId: string, token: string, client: ClientInfo): Promise<WorkspaceWithRole> {
    const invitation = await this.deps.workspaces.acceptInvitation(sha256(token), userId);
    if (!invitation) throw domainErrors.notFound('Invitation');
    await this.deps.audit.append({
      action: 'member.joined',
      actorUserId: userId,
      workspaceId: invitation.workspaceId,
      target: `invitation:${invitation.id}`,
      ip: client.ip,
      userAgent: client.userAgent,
    });
    return this.get(userId, invitation.workspaceId);
  }

  /** Every user keeps owning their personal workspace: it is where their requests land by default. */
  private async assertNotPersonalOwner(actor: Actor, userId: string): Promise<void> {
    const workspace = await this.get(actor.userId, actor.workspaceId);
    if (workspace.personalOwnerId === userId) throw personalWorkspace('The owner of a personal workspace stays its owner');
  }

  /** Only owners hand out or take away ownership; admins manage everyone else. */
  private assertMayAssign(actor: Actor, role: WorkspaceRole): void {
    if (role === 'owner' && actor.role !== 'owner') {
      throw new DomainError('forbidden', 'Only an owner can grant or change the owner role', { code: 'forbidden' });
    }
  }

  private audit(
    actor: Actor,
    action: 'workspace.deleted' | 'member.role-changed' | 'member.removed' | 'member.invited',
    target: string,
    details?: Record<string, unknown>,
  ) {
    return this.deps.audit.append({
      action,
      actorUserId: actor.userId,
      workspaceId: actor.workspaceId,
      target,
      details,
      ip: actor.ip,
      userAgent: actor.userAgent,
    });
  }
}
