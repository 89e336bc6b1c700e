import { Notification } from '@backstage/plugin-notifications-common';
import { BroadcastReceivers } from '../config';
import { AddressPolicy } from './AddressPolicy';
import { RecipientDirectory } from './RecipientDirectory';

/** One email to queue: its address, and the user whose tenant sends it. */
export interface Recipient {
  address: string;
  /** The user entity ref; absent for addresses from config, which go out for the notifications plugin's own tenant. */
  forUser?: string;
}

/** Who gets a notification by email, and how many were left out. */
export interface RecipientList {
  recipients: Recipient[];
  /** Users without an address, and addresses the policy refused. */
  skipped: number;
}

/**
 * Finds the email recipients of one notification as the notifications
 * backend hands it to processors: a user notification (`notification.user`
 * set: the backend already expanded groups and checked the user's settings)
 * goes to that user's address; a broadcast follows `broadcastConfig`.
 */
export class NotificationRecipients {
  constructor(
    private readonly directory: RecipientDirectory,
    private readonly policy: AddressPolicy,
    private readonly broadcast: BroadcastReceivers,
  ) {}

  async of(notification: Notification): Promise<RecipientList> {
    const candidates = await this.candidates(notification);
    const seen = new Set<string>();
    const recipients: Recipient[] = [];
    let skipped = 0;
    for (const candidate of candidates) {
      if (candidate === undefined || !this.policy.permits(candidate.address)) {
        skipped += 1;
        continue;
      }
      // One email per address, even if two users share it.
      const key = candidate.address.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      recipients.push(candidate);
    }
    return { recipients, skipped };
  }

  private async candidates(
    notification: Notification,
  ): Promise<Array<Recipient | undefined>> {
    if (notification.user) {
      const address = await this.directory.addressOf(notification.user);
      return [address ? { address, forUser: notification.user } : undefined];
    }
    switch (this.broadcast.receiver) {
      case 'users':
        return (await this.directory.allUsers()).map(user => ({
          address: user.address,
          forUser: user.userEntityRef,
        }));
      case 'config':
        return this.broadcast.addresses.map(address => ({ address }));
      default:
        return [];
    }
  }
}
