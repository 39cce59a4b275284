<?php
/**
 * Long-running job runner of the local wiki (service "jobrunner" of ci/local-wiki/wiki).
 *
 * Like `maintenance/runJobs.php --wait`, except that it asks the queue which job types have
 * work every --poll seconds. runJobs.php --wait (MediaWiki 1.39) pops through
 * JobQueueGroup::pop( USE_CACHE ), which keeps the list of non-empty queues in a process cache
 * for 15 s (JobQueueGroup::PROC_CACHE_TTL): after an idle period, new jobs waited 8-15 s.
 * Popping by type bypasses that cache.
 *
 * Exits after --maxtime seconds or on its memory limit; the wrapper loop in `wiki` restarts it
 * (a restart also picks up changed settings).
 *
 * Usage: MW_CONFIG_FILE=.../LocalSettings.php php jobrunner.php [--poll=0.25] [--maxtime=3600]
 */

use MediaWiki\MediaWikiServices;
use MediaWiki\Settings\SettingsBuilder;

$mwInstallPath = getenv( 'MW_INSTALL_PATH' ) ?: '/usr/share/mediawiki';
require_once "$mwInstallPath/maintenance/Maintenance.php";

class WikiharnessJobRunner extends Maintenance {
	public function __construct() {
		parent::__construct();
		$this->addDescription( 'Run jobs as they arrive (local wiki job runner)' );
		$this->addOption( 'poll', 'Seconds between queue checks when idle (default 0.25)', false, true );
		$this->addOption( 'maxtime', 'Exit after this many seconds (default 3600)', false, true );
	}

	public function finalSetup( SettingsBuilder $settingsBuilder = null ) {
		// Like runJobs.php: lets code check whether it runs in a job runner.
		define( 'MEDIAWIKI_JOB_RUNNER', true );
		parent::finalSetup( $settingsBuilder );
	}

	public function memoryLimit() {
		return $this->hasOption( 'memory-limit' ) ? parent::memoryLimit() : '256M';
	}

	/**
	 * @return resource|null
	 */
	private function acquireWriteLock() {
		global $wikiharnessSerializeWrites, $wikiharnessWriteLockFile;
		if ( empty( $wikiharnessSerializeWrites ) || !function_exists( 'wikiharnessAcquireWriteLock' ) ) {
			return null;
		}
		return wikiharnessAcquireWriteLock( $wikiharnessWriteLockFile );
	}

	public function execute() {
		$services = MediaWikiServices::getInstance();
		$group = $services->getJobQueueGroup();
		$runner = $services->getJobRunner();
		$runner->setDebugHandler( function ( $s ) {
			$this->output( $s );
		} );
		$pollMicros = (int)( 1e6 * max( 0.05, (float)$this->getOption( 'poll', 0.25 ) ) );
		$end = microtime( true ) + (float)$this->getOption( 'maxtime', 3600 );
		$this->output( sprintf( "jobrunner: pid %d polling every %.2f s\n", getmypid(), $pollMicros / 1e6 ) );

		// `wiki down` sends TERM to the whole process group: finish the current batch (at most
		// a few seconds) instead of dying mid-job, which would leave claimed jobs that are
		// only retried after claimTTL.
		$stop = false;
		if ( function_exists( 'pcntl_async_signals' ) ) {
			pcntl_async_signals( true );
			foreach ( [ SIGTERM, SIGINT, SIGHUP ] as $signal ) {
				pcntl_signal( $signal, static function () use ( &$stop ) {
					$stop = true;
				} );
			}
		}

		while ( !$stop && microtime( true ) < $end ) {
			$ran = 0;
			// Not cached: one cheap query on the job queue DB.
			foreach ( $group->getQueuesWithJobs() as $type ) {
				// Same mutex as writing web requests (see LocalSettings.php): SQLite has one
				// write lock, and MediaWiki's named locks otherwise deadlock with it. Small
				// batches keep web writes waiting at most a few seconds.
				$lock = $this->acquireWriteLock();
				$response = $runner->run( [
					'type' => $type,
					'maxJobs' => 50,
					'maxTime' => 3,
					'throttle' => false,
				] );
				if ( $lock ) {
					fclose( $lock );
				}
				$ran += count( $response['jobs'] );
				if ( in_array( $response['reached'], [ 'memory-limit', 'exception' ], true ) ) {
					$this->output( "jobrunner: stopping ({$response['reached']})\n" );
					return;
				}
				if ( $stop ) {
					break;
				}
			}
			if ( !$ran ) {
				usleep( $pollMicros );
			}
		}
		$this->output( $stop ? "jobrunner: stopped by signal\n" : "jobrunner: maxtime reached\n" );
	}
}

$maintClass = WikiharnessJobRunner::class;
require_once RUN_MAINTENANCE_IF_MAIN;
