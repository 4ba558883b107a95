output "region" {
  value = var.region
}

output "vpc_id" {
  value = aws_vpc.main.id
}

output "private_subnet_ids" {
  value = aws_subnet.private[*].id
}

output "db_endpoint" {
  description = "PostgreSQL host name for DATABASE_URL."
  value       = aws_db_instance.main.address
}

output "db_port" {
  value = aws_db_instance.main.port
}

output "db_name" {
  value = aws_db_instance.main.db_name
}

output "db_master_secret_arn" {
  description = "Secrets Manager secret with the master user's credentials (managed and rotated by RDS)."
  value       = aws_db_instance.main.master_user_secret[0].secret_arn
}

output "redis_endpoint" {
  description = "Redis primary endpoint for REDIS_URL (rediss://, TLS)."
  value       = aws_elasticache_replication_group.main.primary_endpoint_address
}

output "redis_port" {
  value = aws_elasticache_replication_group.main.port
}

output "cluster_name" {
  value = aws_eks_cluster.main.name
}

output "cluster_endpoint" {
  value = aws_eks_cluster.main.endpoint
}

output "kubeconfig_command" {
  value = "aws eks update-kubeconfig --region ${var.region} --name ${aws_eks_cluster.main.name}"
}

output "media_bucket" {
  value = aws_s3_bucket.media.bucket
}

output "app_role_arn" {
  description = "IAM role the app's ServiceAccount receives through Pod Identity."
  value       = aws_iam_role.app.arn
}

output "certificate_arn" {
  description = "Validated ACM certificate for the apex and *.platform_domain."
  value       = aws_acm_certificate_validation.platform.certificate_arn
}
