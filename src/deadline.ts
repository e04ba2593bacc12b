import { fail } from './errors.js'

/** Runs `work`, failing with GOOGLE_TIMEOUT if it has not settled within `ms`. */
export async function withDeadline<T> (ms: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(fail('GOOGLE_TIMEOUT', 'overall-deadline')), ms)
  })
  try {
    return await Promise.race([work(), deadline])
  } finally {
    clearTimeout(timer)
  }
}
