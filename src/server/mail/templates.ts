/** The text of each account mail. Plain text: links are whole lines so any mail client makes them clickable. */
import type { MailMessage } from "./mailer";

export function verifyEmailMail(to: string, displayName: string, link: string, ttlHours: number): MailMessage {
  return {
    to,
    subject: "Verify your email for Parley",
    text: `Hi ${displayName},\n\nOpen this link to confirm that ${to} is your address:\n\n${link}\n\nIt works once, for ${ttlHours} hours. If you did not ask for this, ignore this mail.\n`,
  };
}

export function resetPasswordMail(to: string, displayName: string, link: string, ttlMinutes: number): MailMessage {
  return {
    to,
    subject: "Reset your Parley password",
    text: `Hi ${displayName},\n\nSomeone (hopefully you) asked to reset the password of the Parley account of ${to}. Open this link to choose a new one:\n\n${link}\n\nIt works once, for ${ttlMinutes} minutes. Choosing a new password signs you out everywhere. If you did not ask for this, ignore this mail: your password stays as it is.\n`,
  };
}

export function alreadyRegisteredMail(to: string, displayName: string, signInLink: string, resetLink: string): MailMessage {
  return {
    to,
    subject: "You already have a Parley account",
    text: `Hi ${displayName},\n\nSomeone tried to create a Parley account with ${to}, which already has one. If it was you, sign in instead:\n\n${signInLink}\n\nForgot your password? Reset it here:\n\n${resetLink}\n\nIf it was not you, nothing changed and you can ignore this mail.\n`,
  };
}

export function emailChangedMail(to: string, displayName: string, newEmail: string): MailMessage {
  return {
    to,
    subject: "Your Parley email address changed",
    text: `Hi ${displayName},\n\nThe email address of your Parley account changed from ${to} to ${newEmail}. If you did not do this, reset your password at once and contact your instance's admin.\n`,
  };
}
