/** The names AWS identity rests on (annotation, token audiences), kept free of the SDK for explain and doctor. */

/** The pod-token audience of IRSA (STS AssumeRoleWithWebIdentity). */
export const IRSA_AUDIENCE = 'sts.amazonaws.com';
/** The pod-token audience of EKS Pod Identity. */
export const POD_IDENTITY_AUDIENCE = 'pods.eks.amazonaws.com';
/** The ServiceAccount annotation naming the IAM role IRSA assumes. */
export const ROLE_ANNOTATION = 'eks.amazonaws.com/role-arn';
/** An IAM role ARN, as IRSA needs it. */
export const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
