/**
 * Whether "Take a photo" can do anything here: the browser lists a camera.
 * Where it lists no devices at all (an origin that is not secure), a finger
 * for a pointer stands in: phones and tablets have cameras, desktops may not.
 */
export async function mayHaveCamera(): Promise<boolean> {
  if (!navigator.mediaDevices?.enumerateDevices) return matchMedia('(pointer: coarse)').matches;
  try {
    return (await navigator.mediaDevices.enumerateDevices()).some((device) => device.kind === 'videoinput');
  } catch {
    return false;
  }
}
