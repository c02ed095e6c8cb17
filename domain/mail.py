"""The texts of the emails Sutura sends. They carry links and cluster names, never patient data."""

from domain.model import Mail, Role

ROLE_NAMES = {
    Role.CLINICIAN: "clinician",
    Role.SECRETARY: "secretary",
    Role.CLUSTER_ADMIN: "cluster administrator",
}


def invitation_mail(to: str, cluster: str, role: Role, link: str, hours: int) -> Mail:
    body = (
        f"You have been invited to Sutura, the clinical photography system of {cluster}, "
        f"as {ROLE_NAMES[role]}.\n\n"
        f"Choose your password here (the link works once, for {hours} hours):\n\n{link}\n\n"
        "Then install the Sutura app on your work phone from the same address and sign in.\n\n"
        "If you did not expect this invitation, ignore this email.\n"
    )
    return Mail(to, f"Invitation to Sutura ({cluster})", body)


def added_to_cluster_mail(to: str, cluster: str, role: Role, sign_in_link: str) -> Mail:
    body = (
        f"You have been added to {cluster} in Sutura as {ROLE_NAMES[role]}.\n\n"
        f"Sign in as usual: {sign_in_link}\n"
    )
    return Mail(to, f"You were added to {cluster} in Sutura", body)


def reset_mail(to: str, link: str, minutes: int) -> Mail:
    body = (
        "Someone (hopefully you) asked to reset your Sutura password.\n\n"
        f"Choose a new password here (the link works once, for {minutes} minutes):\n\n{link}\n\n"
        "Resetting signs you out everywhere. If you did not ask for this, ignore this email: "
        "your password stays as it is.\n"
    )
    return Mail(to, "Reset your Sutura password", body)


def renewal_request_mail(to: str, invitee: str, cluster: str, members_link: str) -> Mail:
    body = (
        f"The invitation of {invitee} to {cluster} in Sutura expired before it was used, and "
        "they ask for a new one.\n\n"
        f"You can resend it from the members page: {members_link}\n"
    )
    return Mail(to, f"New invitation asked for ({cluster})", body)


def external_invite_mail(
    to: str, inviter: str, cluster: str, link: str, expires: str, max_files: int
) -> Mail:
    body = (
        f"{inviter} ({cluster}) asks you to send clinical photos through Sutura, the "
        "department's secure photo system, instead of by email or chat.\n\n"
        f"Open this link on your phone or PC to take or choose the photos (it works until "
        f"{expires}, for up to {max_files} files, and needs no account):\n\n{link}\n\n"
        "The page shows what the photos are for and any message from your colleague. "
        "Do not forward this email: anyone with the link can send photos.\n"
    )
    return Mail(to, f"{inviter} asks you to send photos securely", body)
